-- Overview KPI cards for [$start, $end] and the comparison [$vs_start, $vs_end], in-scope dealers:
-- sales = all their order amount in the period; active_dealers = those with an order row in it;
-- new_dealers = those signed in it; collections = their payments in it.
WITH dealers_in_scope AS (
    SELECT dealer_id, signed_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
),
order_totals AS (
    SELECT dealer_id,
           sum(amount) FILTER (WHERE order_date BETWEEN $start AND $end) AS sales_1,
           count(*) FILTER (WHERE order_date BETWEEN $start AND $end) AS orders_1,
           sum(amount) FILTER (WHERE order_date BETWEEN $vs_start AND $vs_end) AS sales_0,
           count(*) FILTER (WHERE order_date BETWEEN $vs_start AND $vs_end) AS orders_0
    FROM orders
    WHERE order_date BETWEEN $start AND $end OR order_date BETWEEN $vs_start AND $vs_end
    GROUP BY dealer_id
),
payment_totals AS (
    SELECT dealer_id,
           sum(amount) FILTER (WHERE paid_on BETWEEN $start AND $end) AS collections_1,
           sum(amount) FILTER (WHERE paid_on BETWEEN $vs_start AND $vs_end) AS collections_0
    FROM payments
    WHERE paid_on BETWEEN $start AND $end OR paid_on BETWEEN $vs_start AND $vs_end
    GROUP BY dealer_id
)
SELECT coalesce(sum(o.sales_1), 0)::DECIMAL(38, 2) AS sales,
       coalesce(sum(o.sales_0), 0)::DECIMAL(38, 2) AS comparison_sales,
       count(*) FILTER (WHERE o.orders_1 > 0) AS active_dealers,
       count(*) FILTER (WHERE o.orders_0 > 0) AS comparison_active_dealers,
       count(*) FILTER (WHERE d.signed_on BETWEEN $start AND $end) AS new_dealers,
       count(*) FILTER (WHERE d.signed_on BETWEEN $vs_start AND $vs_end) AS comparison_new_dealers,
       coalesce(sum(p.collections_1), 0)::DECIMAL(38, 2) AS collections,
       coalesce(sum(p.collections_0), 0)::DECIMAL(38, 2) AS comparison_collections
FROM dealers_in_scope d
LEFT JOIN order_totals o ON o.dealer_id = d.dealer_id
LEFT JOIN payment_totals p ON p.dealer_id = d.dealer_id
