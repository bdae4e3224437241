-- R1 cohort funnel: one row per stage market..paid.
-- Cohort = in-scope opportunities created in [$start, $end]; an opportunity counts at every stage up
-- to the highest it reached as of $as_of (reaching a stage implies the earlier ones, so a `lead`
-- row without a `market` row still counts at market). Stage velocity uses the first entry date of
-- each stage, over the opportunities with a row for both stages on or before $as_of.
WITH cohort AS (
    SELECT o.opportunity_id, o.created_on, coalesce(o.expected_amount, 0) AS amount
    FROM scoped_opportunities($regions, $provinces, $territories, $salespeople) o
    WHERE o.created_on BETWEEN $start AND $end
),
first_entry AS (  -- first day each cohort opportunity entered each stage, as of $as_of
    SELECT h.opportunity_id, stage_order(h.stage) AS k, min(h.entered_on) AS first_on
    FROM stage_history h
    SEMI JOIN cohort c ON c.opportunity_id = h.opportunity_id
    WHERE h.entered_on <= $as_of
    GROUP BY h.opportunity_id, stage_order(h.stage)
),
reached AS (
    -- No row yet means `market`, but only for an opportunity that exists on $as_of.
    SELECT c.amount,
           coalesce(max(f.k), CASE WHEN c.created_on <= $as_of THEN 1 END) AS highest
    FROM cohort c
    LEFT JOIN first_entry f ON f.opportunity_id = c.opportunity_id
    GROUP BY c.opportunity_id, c.created_on, c.amount
),
per_highest AS (
    SELECT highest, count(*) AS n, sum(amount) AS amount
    FROM reached
    WHERE highest IS NOT NULL
    GROUP BY highest
),
stages AS (
    SELECT unnest(range(1, 6)) AS k
),
counts AS (  -- count(k) = members whose highest stage is k or above
    SELECT s.k,
           coalesce(sum(p.n) OVER (ORDER BY s.k DESC), 0)::BIGINT AS n,
           coalesce(sum(p.amount) OVER (ORDER BY s.k DESC), 0)::DECIMAL(38, 2) AS amount
    FROM stages s
    LEFT JOIN per_highest p ON p.highest = s.k
),
velocity AS (
    SELECT cur.k,
           quantile_cont(datediff('day', prev.first_on, cur.first_on), 0.5) AS median_days
    FROM first_entry cur
    JOIN first_entry prev ON prev.opportunity_id = cur.opportunity_id AND prev.k = cur.k - 1
    GROUP BY cur.k
),
with_previous AS (
    SELECT c.k, c.n, c.amount,
           lag(c.n) OVER (ORDER BY c.k) AS previous_n,
           first_value(c.n) OVER (ORDER BY c.k) AS top_n
    FROM counts c
)
SELECT stage_name(w.k) AS stage,
       w.k AS stage_order,
       w.n AS count,
       w.amount,
       CASE WHEN w.previous_n > 0 THEN w.n::DOUBLE / w.previous_n END AS conversion_from_previous,
       CASE WHEN w.top_n > 0 THEN w.n::DOUBLE / w.top_n END AS conversion_from_top,
       v.median_days AS median_days_from_previous
FROM with_previous w
LEFT JOIN velocity v ON v.k = w.k
ORDER BY w.k
