-- R2/R3 drill-down: every open opportunity as of $as_of (no horizon), with its current stage and
-- profit band, optionally only one stage ($stage_order, 0 = all) and one band ($profit_band, '' = all).
WITH open_now AS (
    SELECT *, profit_band(expected_profit, $high, $medium) AS profit_band
    FROM open_opportunities($as_of, $regions, $provinces, $territories, $salespeople)
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
FROM open_now
WHERE ($stage_order = 0 OR k = $stage_order)
  AND ($profit_band = '' OR profit_band = $profit_band)
ORDER BY k, expected_close_on NULLS LAST, opportunity_id
