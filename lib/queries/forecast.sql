-- R2 weighted forecast as of $as_of: one row per open stage market..signed, zeros kept.
-- Open = created on or before D, not lost (lost_on empty or after D), current stage not `paid`
-- (no stage row yet = market). The horizon forecast counts open ones with expected_close_on in
-- (D, D + $horizon_days]; open ones without a close date are counted apart as undated.
WITH open_now AS (
    SELECT k, coalesce(expected_amount, 0) AS amount, expected_close_on
    FROM open_opportunities($as_of, $regions, $provinces, $territories, $salespeople)
),
per_stage AS (
    SELECT k,
           count(*) FILTER (WHERE expected_close_on > $as_of
                              AND expected_close_on <= $as_of + $horizon_days) AS open_count,
           sum(amount) FILTER (WHERE expected_close_on > $as_of
                                 AND expected_close_on <= $as_of + $horizon_days) AS amount,
           count(*) FILTER (WHERE expected_close_on IS NULL) AS undated_count
    FROM open_now
    GROUP BY k
),
stages AS (
    SELECT unnest(range(1, 5)) AS k
),
probabilities AS (
    SELECT k,
           CASE k WHEN 1 THEN $p_market WHEN 2 THEN $p_lead
                  WHEN 3 THEN $p_qualified WHEN 4 THEN $p_signed END AS probability
    FROM stages
)
SELECT stage_name(p.k) AS stage,
       coalesce(s.open_count, 0) AS open_count,
       coalesce(s.amount, 0)::DECIMAL(38, 2) AS expected_amount,
       p.probability::DOUBLE AS probability,
       -- exact decimal product, rounded to the cent once per stage
       round(coalesce(s.amount, 0)::DECIMAL(38, 2) * p.probability, 2) AS weighted_amount,
       coalesce(s.undated_count, 0) AS undated_count
FROM probabilities p
LEFT JOIN per_stage s ON s.k = p.k
ORDER BY p.k
