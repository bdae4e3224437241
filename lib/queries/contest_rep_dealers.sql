-- Drill-down behind one contest row (R9): the rep's dealers that succeeded in the month
-- (developed) and the rep's new dealers (signed in the new_dealer_months window) with order rows
-- in the month (new_dealer_sales), each flagged when R11 excludes it from the contest.
-- Parameters: scope, $salesperson_id, $month_start, $month_end, $sales_signed_from, and those of
-- new_dealers_success.
WITH
contest_reps AS (
    SELECT salesperson_id
    FROM scoped_salespeople($regions, $provinces, $territories, $salespeople)
    WHERE salesperson_id = $salesperson_id
),
-- @include contest_dealers
,
success_candidates AS (
    SELECT dealer_id, signed_on FROM contest_dealers
),
success_orders AS (
    -- few dealers are judged: keep only their orders before aggregating; no date cutoff, so a
    -- success after the month shows its true month
    SELECT dealer_id, order_date, amount
    FROM orders
    WHERE dealer_id IN (SELECT dealer_id FROM success_candidates)
),
-- @include new_dealers_success
,
month_sales AS (
    SELECT o.dealer_id, sum(o.amount) AS sales_in_month
    FROM orders o
    WHERE o.order_date BETWEEN $month_start AND $month_end
      AND o.dealer_id IN (SELECT dealer_id FROM contest_dealers)
    GROUP BY o.dealer_id
),
flagged AS (
    SELECT c.dealer_id,
           c.signed_on,
           c.excluded_duplicate,
           s.first_order_month,
           s.success_month,
           s.success_rule,
           coalesce(s.success_month_start = $month_start, false) AS is_developed,
           ms.dealer_id IS NOT NULL AND c.signed_on BETWEEN $sales_signed_from AND $month_end AS is_sales,
           coalesce(ms.sales_in_month, 0)::DECIMAL(18, 2) AS sales_in_month
    FROM contest_dealers c
    JOIN new_dealer_success s USING (dealer_id)
    LEFT JOIN month_sales ms USING (dealer_id)
)
SELECT f.dealer_id,
       d.dealer_name,
       f.signed_on,
       f.first_order_month,
       f.success_month,
       f.success_rule,
       f.sales_in_month,
       CASE WHEN f.is_developed AND f.is_sales THEN 'both'
            WHEN f.is_developed THEN 'developed'
            ELSE 'new_dealer_sales' END AS counted_as,
       f.excluded_duplicate
FROM flagged f
JOIN dealers d USING (dealer_id)
WHERE f.is_developed OR f.is_sales
ORDER BY f.is_developed DESC, f.signed_on, f.dealer_id
