-- R8 report for the in-scope dealers signed in [$signed_from, $signed_to] (see new_dealers.sql).
WITH
success_candidates AS (
    SELECT dealer_id, signed_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
    WHERE signed_on BETWEEN $signed_from AND $signed_to
),
success_orders AS (
    -- a period's signings are few: only their orders (3x faster than handing over all 10M rows)
    SELECT dealer_id, order_date, amount
    FROM orders
    WHERE dealer_id IN (SELECT dealer_id FROM success_candidates)
),
-- @include new_dealers_report
