-- Monthly series over [$start, $end] for the in-scope dealers, one row per calendar month touched
-- by the range, zeros kept; amounts only from days inside the range. Months are keyed by the
-- integer year * 12 + month - 1, which is much cheaper than date_trunc over millions of orders.
WITH months AS (
    SELECT range::DATE AS month_start,
           year(range) * 12 + month(range) - 1 AS month_index
    FROM range(date_trunc('month', $start::DATE), date_trunc('month', $end::DATE) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH)
),
dealers_in_scope AS (
    SELECT dealer_id, signed_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
),
sales AS (
    SELECT year(o.order_date) * 12 + month(o.order_date) - 1 AS month_index,
           sum(o.amount) AS sales,
           count(DISTINCT o.dealer_id) AS active_dealers
    FROM orders o
    SEMI JOIN dealers_in_scope d ON d.dealer_id = o.dealer_id
    WHERE o.order_date BETWEEN $start AND $end
    GROUP BY 1
),
collections AS (
    SELECT year(p.paid_on) * 12 + month(p.paid_on) - 1 AS month_index, sum(p.amount) AS collections
    FROM payments p
    SEMI JOIN dealers_in_scope d ON d.dealer_id = p.dealer_id
    WHERE p.paid_on BETWEEN $start AND $end
    GROUP BY 1
),
signed AS (
    SELECT year(signed_on) * 12 + month(signed_on) - 1 AS month_index, count(*) AS new_dealers
    FROM dealers_in_scope
    WHERE signed_on BETWEEN $start AND $end
    GROUP BY 1
)
SELECT strftime(m.month_start, '%Y-%m') AS month,
       coalesce(s.sales, 0)::DECIMAL(38, 2) AS sales,
       coalesce(c.collections, 0)::DECIMAL(38, 2) AS collections,
       coalesce(s.active_dealers, 0) AS active_dealers,
       coalesce(n.new_dealers, 0) AS new_dealers
FROM months m
LEFT JOIN sales s ON s.month_index = m.month_index
LEFT JOIN collections c ON c.month_index = m.month_index
LEFT JOIN signed n ON n.month_index = m.month_index
ORDER BY m.month_start
