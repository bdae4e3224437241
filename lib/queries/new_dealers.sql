-- R8 report: every in-scope dealer (optionally those signed in [$signed_from, $signed_to]) with its
-- first order month, success month and rule, and whether it is the later dealer of an R11 pair
-- (approved or not: approval only lifts the contest exclusion).
WITH
success_candidates AS (
    SELECT dealer_id, signed_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
    WHERE signed_on BETWEEN $signed_from AND $signed_to
),
success_orders AS (
    -- usually most dealers are judged here: aggregate every order, then keep the candidates
    SELECT dealer_id, order_date, amount FROM orders
),
-- @include new_dealers_success
,
-- @include duplicates_pairs
SELECT d.dealer_id,
       d.dealer_name,
       d.salesperson_id,
       d.signed_on,
       s.first_order_month,
       s.success_month,
       s.success_rule,
       d.dealer_id IN (SELECT dealer_id FROM duplicate_pairs) AS suspected_duplicate
FROM success_candidates c
JOIN dealers d USING (dealer_id)
JOIN new_dealer_success s USING (dealer_id)
ORDER BY d.signed_on, d.dealer_id
