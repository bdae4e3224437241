-- R9 monthly contest: per rep employed during the month and inside the filter scope ($compare_*;
-- `visible` = inside the filter narrowed by the user's access, $regions..), the three
-- counted values and the exact competition ranks on both items (awards and fines are applied in
-- Python from the rules lists, which may have any length).
-- Parameters: scope, $month_start, $month_end, $sales_signed_from (first day of the
-- new_dealer_months window ending with the month), $earliest_signing (first day of the earliest
-- signing month that can still succeed in the month), and those of new_dealers_success.
WITH
contest_reps AS (
    SELECT salesperson_id, name
    FROM scoped_salespeople($compare_regions, $compare_provinces, $compare_territories, $compare_salespeople)
    WHERE role = 'rep'
      AND (hired_on IS NULL OR hired_on <= $month_end)
      AND (left_on IS NULL OR left_on >= $month_start)
),
-- @include contest_dealers
,
-- @include contest_success_feed
,
-- @include new_dealers_success
,
developed_counts AS (
    SELECT c.salesperson_id, count(*) AS developed
    FROM contest_dealers c
    JOIN new_dealer_success s USING (dealer_id)  -- judged for the credited dealers only
    WHERE s.success_month_start = $month_start
    GROUP BY c.salesperson_id
),
sales_sums AS (
    SELECT c.salesperson_id, sum(o.amount) AS new_dealer_sales
    FROM orders o
    JOIN contest_dealers c USING (dealer_id)
    WHERE o.order_date BETWEEN $month_start AND $month_end
      AND c.signed_on BETWEEN $sales_signed_from AND $month_end
      AND NOT c.excluded_duplicate
    GROUP BY c.salesperson_id
),
intention_counts AS (
    -- Created in the month and at lead or beyond as of its last day. "Highest stage as of D >= lead"
    -- is "some stage row entered on or before D is lead or beyond" (no row = market), so only the
    -- month's opportunities join stage_history: stages_as_of() would group every opportunity ever.
    SELECT o.salesperson_id, count(DISTINCT o.opportunity_id) AS intentions
    FROM opportunities o
    JOIN stage_history st ON st.opportunity_id = o.opportunity_id
    WHERE o.created_on BETWEEN $month_start AND $month_end
      AND o.salesperson_id IN (SELECT salesperson_id FROM contest_reps)
      AND st.entered_on <= $month_end
      AND stage_order(st.stage) >= stage_order('lead')
    GROUP BY o.salesperson_id
),
rep_values AS (
    SELECT r.salesperson_id,
           r.name,
           coalesce(i.intentions, 0) AS intentions,
           coalesce(dv.developed, 0) AS developed,
           coalesce(ss.new_dealer_sales, 0)::DECIMAL(18, 2) AS new_dealer_sales
    FROM contest_reps r
    LEFT JOIN intention_counts i USING (salesperson_id)
    LEFT JOIN developed_counts dv USING (salesperson_id)
    LEFT JOIN sales_sums ss USING (salesperson_id)
)
SELECT salesperson_id,
       name,
       intentions,
       developed,
       new_dealer_sales,
       -- competition ranks (1, 2, 2, 4), from the top and from the bottom (lowest = 1)
       rank() OVER (ORDER BY developed DESC) AS rank_developed,
       rank() OVER (ORDER BY developed ASC) AS bottom_rank_developed,
       rank() OVER (ORDER BY new_dealer_sales DESC) AS rank_sales,
       rank() OVER (ORDER BY new_dealer_sales ASC) AS bottom_rank_sales,
       developed > 0 AS developed_positive,
       new_dealer_sales > 0 AS sales_positive,
       min(developed) OVER () = max(developed) OVER () AS developed_all_equal,
       min(new_dealer_sales) OVER () = max(new_dealer_sales) OVER () AS sales_all_equal,
       -- ranked among everyone in the filter, returned only if the user may see the rep
       salesperson_id IN (SELECT salesperson_id
                          FROM scoped_salespeople($regions, $provinces, $territories, $salespeople)) AS visible
FROM rep_values
ORDER BY salesperson_id
