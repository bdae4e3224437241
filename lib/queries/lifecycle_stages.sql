-- R5 territory lifecycle stage of every in-scope territory at one or more report days, in one pass.
-- $report_days / $check_days are parallel lists: each report day D is paired with itself and with
-- each quarter-end before it that elevation looks at (lib.periods.quarter_ends_before), so a whole
-- stage-mix history costs one query. The salesperson filter does not apply: a stage belongs to the
-- whole territory. Thresholds are bound as DECIMAL and compared as
-- `count >= threshold * denominator`, so a coverage of exactly 0.70 lands on the 0.70 line.
WITH checks AS (
    SELECT unnest($report_days::DATE[]) AS as_of, unnest($check_days::DATE[]) AS day
),
report_days AS (
    SELECT DISTINCT as_of FROM checks
),
check_days AS (
    SELECT DISTINCT day FROM checks
),
territory AS (
    SELECT territory_id, territory_name, region, province, planned_dealers
    FROM scoped_territories($regions, $provinces, $territories)
),
territory_dealers AS (
    SELECT d.territory_id, d.signed_on, d.terminated_on
    FROM dealers d
    WHERE d.territory_id IN (SELECT territory_id FROM territory)
),
active_counts AS (
    SELECT d.territory_id, c.day, count(*) AS active_dealers
    FROM territory_dealers d
    JOIN check_days c ON active_on(d.signed_on, d.terminated_on, c.day)
    GROUP BY d.territory_id, c.day
),
churn_counts AS (
    -- terminated in (D - 365 days, D]
    SELECT d.territory_id, r.as_of, count(*) AS terminated_12m
    FROM territory_dealers d
    JOIN report_days r ON d.terminated_on > r.as_of - 365 AND d.terminated_on <= r.as_of
    GROUP BY d.territory_id, r.as_of
),
coverage_history AS (
    -- coverage >= mining_coverage on D and on every quarter-end checked before it
    SELECT t.territory_id, c.as_of,
           bool_and(coalesce(a.active_dealers, 0) >= $mining_coverage * t.planned_dealers) AS mining_throughout
    FROM territory t
    CROSS JOIN checks c
    LEFT JOIN active_counts a ON a.territory_id = t.territory_id AND a.day = c.day
    GROUP BY t.territory_id, c.as_of
),
measured AS (
    SELECT r.as_of, t.territory_id, t.territory_name, t.region, t.province, t.planned_dealers,
           coalesce(a.active_dealers, 0) AS active_dealers,
           coalesce(ch.terminated_12m, 0) AS terminated_12m,
           h.mining_throughout
    FROM territory t
    CROSS JOIN report_days r
    LEFT JOIN active_counts a ON a.territory_id = t.territory_id AND a.day = r.as_of
    LEFT JOIN churn_counts ch ON ch.territory_id = t.territory_id AND ch.as_of = r.as_of
    JOIN coverage_history h ON h.territory_id = t.territory_id AND h.as_of = r.as_of
)
SELECT as_of, territory_id, territory_name, region, province, planned_dealers, active_dealers, terminated_12m,
       CASE WHEN planned_dealers > 0 THEN active_dealers::DOUBLE / planned_dealers END AS coverage,
       CASE WHEN active_dealers + terminated_12m > 0
            THEN terminated_12m::DOUBLE / (active_dealers + terminated_12m) END AS churn_12m,
       CASE WHEN planned_dealers = 0 THEN 'unplanned'
            WHEN active_dealers < $maintenance_coverage * planned_dealers THEN 'development'
            WHEN active_dealers < $mining_coverage * planned_dealers THEN 'maintenance'
            -- an undefined churn (nobody active or terminated) is not "<= max churn"
            WHEN mining_throughout AND active_dealers + terminated_12m > 0
                 AND terminated_12m <= $elevation_max_churn * (active_dealers + terminated_12m) THEN 'elevation'
            ELSE 'mining'
       END AS stage
FROM measured
ORDER BY as_of, territory_id
