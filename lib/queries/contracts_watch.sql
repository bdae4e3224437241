-- R12 retention watch as of $as_of: core dealers (core_ranking over the in-scope dealers' orders in
-- (D - 1 year, D]) that are active at D and whose contract ends in [D, D + $watch_days].
SELECT dealer_id,
       dealer_name,
       region,
       territory_id,
       salesperson_id,
       contract_end,
       datediff('day', $as_of::DATE, contract_end) AS days_left,
       amount AS amount_12m
FROM core_ranking(($as_of::DATE - INTERVAL 1 YEAR)::DATE + 1, $as_of::DATE, $share,
                  $regions, $provinces, $territories, $salespeople)
WHERE is_core
  AND active_on(signed_on, terminated_on, $as_of)
  AND contract_end >= $as_of
  AND contract_end <= $as_of + $watch_days
ORDER BY contract_end, dealer_id
