-- The R8 feed of the contest queries (R9 month, R10 campaign): a CTE fragment (no WITH, no trailing
-- comma) included after contest_dealers, defining what new_dealers_success.sql needs:
--   success_candidates: only dealers that can succeed by $orders_until. success_month <=
--     M0 + window_months - 1 and M0 <= signing month + max_months_to_first_order bound the signing
--     date from below ($earliest_signing): a pure shortcut (same result) that keeps the order scan
--     to recent dealers.
--   success_orders: their order rows up to $orders_until (few dealers: filter before aggregating).
success_candidates AS (
    SELECT dealer_id, signed_on FROM contest_dealers
    WHERE NOT excluded_duplicate AND signed_on >= $earliest_signing
),
success_orders AS (
    SELECT dealer_id, order_date, amount
    FROM orders
    WHERE order_date <= $orders_until
      AND dealer_id IN (SELECT dealer_id FROM success_candidates)
)
