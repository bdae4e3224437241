-- Order amount per in-scope territory in ($sales_from, $as_of] (R5 distribution views).
-- Orders are cut to the window and summed per dealer before any join; every dealer of the
-- territory counts (the salesperson filter does not apply to territory views).
WITH dealer_sales AS (
    SELECT dealer_id, sum(amount) AS sales
    FROM orders
    WHERE order_date > $sales_from AND order_date <= $as_of
    GROUP BY dealer_id
)
SELECT d.territory_id, sum(s.sales) AS sales
FROM dealer_sales s
JOIN dealers d ON d.dealer_id = s.dealer_id
JOIN scoped_territories($regions, $provinces, $territories) t ON t.territory_id = d.territory_id
GROUP BY d.territory_id
