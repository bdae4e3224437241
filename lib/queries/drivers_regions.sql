-- The Overview's sales, per region, in one pass: for [$start, $end] and [$vs_start, $vs_end], the
-- order amount of the in-scope dealers of each region and how many of them ordered in the period
-- (the same definitions as drivers_kpis.sql, grouped by region).
SELECT d.region,
       coalesce(sum(o.amount) FILTER (WHERE o.order_date BETWEEN $start AND $end), 0)::DECIMAL(38, 2) AS sales,
       coalesce(sum(o.amount) FILTER (WHERE o.order_date BETWEEN $vs_start AND $vs_end), 0)::DECIMAL(38, 2)
           AS comparison_sales,
       count(DISTINCT o.dealer_id) FILTER (WHERE o.order_date BETWEEN $start AND $end) AS active_dealers
FROM orders o
JOIN scoped_dealers($regions, $provinces, $territories, $salespeople) d ON d.dealer_id = o.dealer_id
WHERE o.order_date BETWEEN $start AND $end OR o.order_date BETWEEN $vs_start AND $vs_end
GROUP BY d.region
