-- R11 report: each suspected pair once, listed when the later dealer N is in scope; by N's
-- signing date (newest suspicions last), then ids.
WITH
-- @include duplicates_pairs
SELECT p.dealer_id,
       p.duplicate_of,
       p.matched_on,
       n.signed_on,
       e.signed_on AS duplicate_of_signed_on,
       n.approved_new
FROM duplicate_pairs p
JOIN scoped_dealers($regions, $provinces, $territories, $salespeople) n ON n.dealer_id = p.dealer_id
JOIN dealers e ON e.dealer_id = p.duplicate_of
ORDER BY n.signed_on, p.dealer_id, p.duplicate_of
