-- R8 report for every in-scope dealer, with its first order month, success month and rule, and
-- whether it is the later dealer of an R11 pair (approved or not: approval only lifts the contest
-- exclusion).
WITH
success_candidates AS (
    SELECT dealer_id, signed_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
),
success_orders AS (
    -- most dealers are judged: hand over every order (probing 10M rows for membership is slower)
    SELECT dealer_id, order_date, amount FROM orders
),
-- @include new_dealers_report
