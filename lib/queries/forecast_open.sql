-- R2/R3 drill-down: every open opportunity as of $as_of (no horizon), with its current stage and
-- profit band, optionally only one stage ($stage_order, 0 = all) and one band ($profit_band, '' = all).
WITH open_opportunities AS (
    SELECT o.*,
           coalesce(s.current_stage, 1) AS k,
           CASE WHEN o.expected_profit >= $high THEN 'high'
                WHEN o.expected_profit >= $medium THEN 'medium'
                ELSE 'low' END AS profit_band
    FROM scoped_opportunities($regions, $provinces, $territories, $salespeople) o
    LEFT JOIN stages_as_of($as_of) s ON s.opportunity_id = o.opportunity_id
    WHERE o.created_on <= $as_of
      AND (o.lost_on IS NULL OR o.lost_on > $as_of)
      AND coalesce(s.current_stage, 1) <> 5
)
SELECT opportunity_id,
       prospect_name,
       salesperson_id,
       territory_id,
       stage_name(k) AS current_stage,
       profit_band,
       expected_amount,
       expected_profit,
       expected_close_on
FROM open_opportunities
WHERE ($stage_order = 0 OR k = $stage_order)
  AND ($profit_band = '' OR profit_band = $profit_band)
ORDER BY k, expected_close_on NULLS LAST, opportunity_id
