-- R2 weekly trend: the horizon forecast of forecast.sql at each Friday D in [$start, $end], per
-- open stage, zeros kept, in one pass.
-- Each opportunity's stage history becomes spans [valid_from, valid_to) of one current stage (on one
-- date the higher stage wins; before its first row an opportunity is at market). An opportunity
-- counts on Friday D for the span holding D when D is also in its open-and-in-horizon window:
-- created_on <= D < lost_on, and D < expected_close_on <= D + horizon.
WITH fridays AS (
    SELECT range::DATE AS week_ending
    FROM range($start::DATE + ((5 - isodow($start::DATE) + 7) % 7)::INTEGER,
               $end::DATE + 1, INTERVAL 7 DAY)
),
candidates AS (  -- only opportunities that can count on some Friday of the range
    SELECT o.opportunity_id,
           coalesce(o.expected_amount, 0) AS amount,
           -- first and last D on which it is open and its close date lies in (D, D + horizon]
           greatest(o.created_on, o.expected_close_on - $horizon_days) AS open_from,
           least(coalesce(o.lost_on, DATE '9999-12-31'), o.expected_close_on) - 1 AS open_to
    FROM scoped_opportunities($regions, $provinces, $territories, $salespeople) o
    WHERE o.expected_close_on IS NOT NULL
      AND o.created_on <= $end
      AND o.expected_close_on > $start
      AND o.expected_close_on - $horizon_days <= $end
      AND (o.lost_on IS NULL OR o.lost_on > $start)
),
day_stage AS (  -- the stage an opportunity is current at from each date with rows
    SELECT h.opportunity_id, h.entered_on, max(stage_order(h.stage)) AS k
    FROM stage_history h
    SEMI JOIN candidates c ON c.opportunity_id = h.opportunity_id
    WHERE h.entered_on <= $end
    GROUP BY h.opportunity_id, h.entered_on
),
spans AS (
    SELECT opportunity_id, k, entered_on AS valid_from,
           lead(entered_on, 1, DATE '9999-12-31') OVER (PARTITION BY opportunity_id ORDER BY entered_on) AS valid_to
    FROM day_stage
    UNION ALL
    SELECT c.opportunity_id, 1 AS k, DATE '0001-01-01' AS valid_from,
           coalesce(min(d.entered_on), DATE '9999-12-31') AS valid_to
    FROM candidates c
    LEFT JOIN day_stage d ON d.opportunity_id = c.opportunity_id
    GROUP BY c.opportunity_id
),
counted AS (  -- the Fridays each (opportunity, stage span) counts on: one range per row
    SELECT s.k, c.amount,
           greatest(c.open_from, s.valid_from) AS day_from,
           least(c.open_to, s.valid_to - 1) AS day_to
    FROM candidates c
    JOIN spans s ON s.opportunity_id = c.opportunity_id
    WHERE s.k <> 5
),
per_week AS (
    SELECT f.week_ending, c.k, count(*) AS open_count, sum(c.amount) AS amount
    FROM fridays f
    JOIN counted c ON f.week_ending BETWEEN c.day_from AND c.day_to
    GROUP BY f.week_ending, c.k
),
stages AS (
    SELECT k,
           CASE k WHEN 1 THEN $p_market WHEN 2 THEN $p_lead
                  WHEN 3 THEN $p_qualified WHEN 4 THEN $p_signed END AS probability
    FROM (SELECT unnest(range(1, 5)) AS k)
)
SELECT f.week_ending,
       stage_name(s.k) AS stage,
       coalesce(w.open_count, 0) AS open_count,
       round(coalesce(w.amount, 0)::DECIMAL(38, 2) * s.probability, 2) AS weighted_amount
FROM fridays f
CROSS JOIN stages s
LEFT JOIN per_week w ON w.week_ending = f.week_ending AND w.k = s.k
ORDER BY f.week_ending, s.k
