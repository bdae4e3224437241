-- R8 successful new-dealer development: the one definition, shared by the new-dealers report and
-- the contest (R9, R10). A CTE fragment (no WITH, no trailing comma), included by name with
-- `-- @include new_dealers_success` after the caller's two CTEs
--     success_candidates(dealer_id, signed_on)      -- the dealers to judge
--     success_orders(dealer_id, order_date, amount) -- EVERY order row of those dealers (rows of
--         other dealers are ignored; rows after a cutoff may be left out: a success in month s is
--         decided by months <= s alone, so success months up to the cutoff's month stay exact)
-- The caller picks the cheaper way to feed the orders: all of `orders` when most dealers are
-- judged (aggregating first beats probing 10M rows), `dealer_id IN (candidates)` when few are.
-- Parameters: $monthly_min, $window_total (DECIMAL), $window_months, $max_months_to_first_order.
-- Defines new_dealer_success(dealer_id, first_order_month, success_month, success_rule,
-- success_month_start): months as 'YYYY-MM' (NULL = no order / no success), rule 'a' | 'b' | NULL.
-- Months are counted as an index year * 12 + month - 1 so "calendar months" are plain integers.
success_months AS (
    -- Net amount per candidate dealer and calendar month (returns included): one pass over the
    -- orders; a month with order rows has a row here even when they net to zero.
    SELECT o.dealer_id,
           year(o.order_date) * 12 + month(o.order_date) - 1 AS month_index,
           sum(o.amount) AS amount
    FROM success_orders o
    JOIN success_candidates c ON c.dealer_id = o.dealer_id
    GROUP BY ALL
),
success_first AS (
    -- M0 = the month of the dealer's earliest order row.
    SELECT dealer_id, min(month_index) AS first_index
    FROM success_months
    GROUP BY dealer_id
),
success_window AS (
    -- Window months M0 .. M(window_months-1) that have orders; a month without orders is 0.
    SELECT m.dealer_id,
           m.month_index - f.first_index AS month_offset,
           m.amount,
           sum(m.amount) OVER (PARTITION BY m.dealer_id ORDER BY m.month_index) AS cumulative
    FROM success_months m
    JOIN success_first f USING (dealer_id)
    WHERE m.month_index < f.first_index + $window_months
),
success_tests AS (
    SELECT dealer_id,
           -- (a) every window month >= X; a month without orders (0) passes only when X <= 0
           count_if(amount < $monthly_min) = 0
               AND (count(*) = $window_months OR $monthly_min <= 0) AS rule_a_holds,
           -- (b) the first month whose cumulative reaches XX; a month without orders leaves the
           -- cumulative unchanged, so the first such month always has orders
           min(month_offset) FILTER (WHERE cumulative >= $window_total) AS rule_b_offset
    FROM success_window
    GROUP BY dealer_id
),
success_judged AS (
    SELECT c.dealer_id,
           f.first_index,
           CASE
               WHEN f.first_index IS NULL THEN NULL
               -- first order more than N calendar months after signing: never a success
               WHEN f.first_index - (year(c.signed_on) * 12 + month(c.signed_on) - 1)
                    > $max_months_to_first_order THEN NULL
               -- (a) succeeds in the last window month; it wins a tie with (b)
               WHEN t.rule_a_holds AND coalesce(t.rule_b_offset >= $window_months - 1, true) THEN 'a'
               WHEN t.rule_b_offset IS NOT NULL THEN 'b'
           END AS success_rule,
           CASE success_rule
               WHEN 'a' THEN f.first_index + $window_months - 1
               WHEN 'b' THEN f.first_index + t.rule_b_offset
           END AS success_index
    FROM success_candidates c
    LEFT JOIN success_first f USING (dealer_id)
    LEFT JOIN success_tests t USING (dealer_id)
),
new_dealer_success AS (
    SELECT dealer_id,
           strftime(make_date(first_index // 12, first_index % 12 + 1, 1), '%Y-%m') AS first_order_month,
           strftime(make_date(success_index // 12, success_index % 12 + 1, 1), '%Y-%m') AS success_month,
           success_rule,
           make_date(success_index // 12, success_index % 12 + 1, 1) AS success_month_start
    FROM success_judged
)
