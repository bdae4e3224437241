-- R13 sales drivers for the period [$start, $end] and the comparison period [$vs_start, $vs_end]:
-- covered = in-scope dealers active at the period end; active = covered dealers with at least one
-- order row in the period; sales = the covered dealers' order amount in the period.
WITH dealers_in_scope AS (
    SELECT dealer_id, signed_on, terminated_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
),
period_orders AS (
    SELECT dealer_id, sum(amount) AS amount
    FROM orders
    WHERE order_date BETWEEN $start AND $end
    GROUP BY dealer_id
),
comparison_orders AS (
    SELECT dealer_id, sum(amount) AS amount
    FROM orders
    WHERE order_date BETWEEN $vs_start AND $vs_end
    GROUP BY dealer_id
),
flags AS (
    SELECT active_on(d.signed_on, d.terminated_on, $end) AS covered_1,
           active_on(d.signed_on, d.terminated_on, $vs_end) AS covered_0,
           p.dealer_id IS NOT NULL AS ordered_1,
           c.dealer_id IS NOT NULL AS ordered_0,
           p.amount AS amount_1,
           c.amount AS amount_0
    FROM dealers_in_scope d
    LEFT JOIN period_orders p ON p.dealer_id = d.dealer_id
    LEFT JOIN comparison_orders c ON c.dealer_id = d.dealer_id
)
SELECT count(*) FILTER (WHERE covered_1) AS covered_1,
       count(*) FILTER (WHERE covered_1 AND ordered_1) AS active_1,
       coalesce(sum(amount_1) FILTER (WHERE covered_1), 0)::DECIMAL(38, 2) AS sales_1,
       count(*) FILTER (WHERE covered_0) AS covered_0,
       count(*) FILTER (WHERE covered_0 AND ordered_0) AS active_0,
       coalesce(sum(amount_0) FILTER (WHERE covered_0), 0)::DECIMAL(38, 2) AS sales_0
FROM flags
