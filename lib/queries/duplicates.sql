-- R11 report: each suspected pair once, listed when the later dealer N is in scope; by N's
-- signing date (newest suspicions last), then ids. The earlier dealer E may lie outside what the
-- user may see ($access_*): the pair is still listed (N's suspicion is the user's business) but
-- E's id and date are withheld.
WITH
-- @include duplicates_pairs
SELECT p.dealer_id,
       CASE WHEN v.dealer_id IS NOT NULL THEN p.duplicate_of END AS duplicate_of,
       p.matched_on,
       n.signed_on,
       CASE WHEN v.dealer_id IS NOT NULL THEN e.signed_on END AS duplicate_of_signed_on,
       n.approved_new
FROM duplicate_pairs p
JOIN scoped_dealers($regions, $provinces, $territories, $salespeople) n ON n.dealer_id = p.dealer_id
JOIN dealers e ON e.dealer_id = p.duplicate_of
LEFT JOIN scoped_dealers($access_regions, $access_provinces, $access_territories, $access_salespeople) v
       ON v.dealer_id = p.duplicate_of
ORDER BY n.signed_on, p.dealer_id, p.duplicate_of
