-- The dealers behind R5 numbers of the given territories as of $as_of: those active on that day
-- (coverage) and those terminated in (D - 365 days, D] (churn).
SELECT d.dealer_id, d.dealer_name, d.territory_id, t.territory_name, t.region, d.salesperson_id,
       d.signed_on, d.status, d.terminated_on,
       active_on(d.signed_on, d.terminated_on, $as_of) AS active
FROM dealers d
JOIN territories t ON t.territory_id = d.territory_id
WHERE list_contains($territory_ids::VARCHAR[], d.territory_id)
  AND d.signed_on <= $as_of
  AND (d.terminated_on IS NULL OR d.terminated_on > $as_of - 365)
ORDER BY d.territory_id, active DESC, d.dealer_id
