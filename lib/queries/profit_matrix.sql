-- R3 profit x stage matrix as of $as_of: open opportunities (as in R2, no horizon) per profit band
-- x current stage, all 3 bands x 4 open stages listed, zeros kept. Bands compare expected_profit
-- with the exact decimal thresholds $high and $medium; an empty profit is `low`.
WITH open_now AS (
    SELECT k, profit_band(expected_profit, $high, $medium) AS profit_band,
           coalesce(expected_amount, 0) AS amount
    FROM open_opportunities($as_of, $regions, $provinces, $territories, $salespeople)
),
cells AS (
    SELECT profit_band, k, count(*) AS open_count, sum(amount) AS amount
    FROM open_now
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
