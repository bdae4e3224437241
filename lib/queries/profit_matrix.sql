-- R3 profit x stage matrix as of $as_of: open opportunities (as in R2, no horizon) per profit band
-- x current stage, all 3 bands x 4 open stages listed, zeros kept. Bands compare expected_profit
-- with the exact decimal thresholds $high and $medium; an empty profit is `low`.
WITH open_opportunities AS (
    SELECT coalesce(s.current_stage, 1) AS k,
           CASE WHEN o.expected_profit >= $high THEN 'high'
                WHEN o.expected_profit >= $medium THEN 'medium'
                ELSE 'low' END AS profit_band,
           coalesce(o.expected_amount, 0) AS amount
    FROM scoped_opportunities($regions, $provinces, $territories, $salespeople) o
    LEFT JOIN stages_as_of($as_of) s ON s.opportunity_id = o.opportunity_id
    WHERE o.created_on <= $as_of
      AND (o.lost_on IS NULL OR o.lost_on > $as_of)
      AND coalesce(s.current_stage, 1) <> 5
),
cells AS (
    SELECT profit_band, k, count(*) AS open_count, sum(amount) AS amount
    FROM open_opportunities
    GROUP BY profit_band, k
),
grid AS (
    SELECT b.band_order, b.profit_band, s.k
    FROM (VALUES (1, 'high'), (2, 'medium'), (3, 'low')) b(band_order, profit_band)
    CROSS JOIN (SELECT unnest(range(1, 5)) AS k) s
)
SELECT g.profit_band,
       stage_name(g.k) AS stage,
       coalesce(c.open_count, 0) AS open_count,
       coalesce(c.amount, 0)::DECIMAL(38, 2) AS expected_amount
FROM grid g
LEFT JOIN cells c ON c.profit_band = g.profit_band AND c.k = g.k
ORDER BY g.band_order, g.k
