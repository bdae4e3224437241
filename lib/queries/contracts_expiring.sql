-- R12 drill-down as of $as_of: the in-scope dealers active at D whose contract ends in the month
-- starting $month_start, on or after D (the dealers behind one month of the `contracts` report).
-- is_core: R4 (core_ranking) over the in-scope dealers' orders in (D - 1 year, D], as in contracts.sql.
WITH core AS (
    SELECT dealer_id, is_core, amount
    FROM core_ranking(($as_of::DATE - INTERVAL 1 YEAR)::DATE + 1, $as_of::DATE, $share,
                      $regions, $provinces, $territories, $salespeople)
)
SELECT d.dealer_id,
       d.dealer_name,
       d.region,
       d.territory_id,
       d.salesperson_id,
       d.contract_end,
       datediff('day', $as_of::DATE, d.contract_end) AS days_left,
       coalesce(c.is_core, false) AS is_core,
       coalesce(c.amount, 0) AS amount_12m
FROM scoped_dealers($regions, $provinces, $territories, $salespeople) d
LEFT JOIN core c ON c.dealer_id = d.dealer_id
WHERE active_on(d.signed_on, d.terminated_on, $as_of)
  AND d.contract_end >= $as_of
  AND d.contract_end >= $month_start::DATE
  AND d.contract_end < $month_start::DATE + INTERVAL 1 MONTH
ORDER BY d.contract_end, d.dealer_id
