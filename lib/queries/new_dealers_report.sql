-- The R8 report's body, a fragment included after the feed CTEs success_candidates (the in-scope
-- dealers to list) and success_orders (their orders): the one R8 definition, the R11 pairs, and
-- the report's rows. Two feeds exist (new_dealers.sql, new_dealers_signed.sql) because the cheap
-- way to hand orders over depends on how many dealers are judged.
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
