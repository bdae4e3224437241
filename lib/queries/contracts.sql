-- R12 contract expiry as of $as_of: in-scope dealers active at D whose contract_end is on or after
-- D, counted per calendar month for D's month and the next $months - 1 months, zeros kept.
-- core_expiring counts the core dealers among them: R4 (core_ranking) over the in-scope dealers'
-- orders in (D - 1 year, D].
WITH months AS (
    SELECT range::DATE AS month_start
    FROM range(date_trunc('month', $as_of::DATE), date_trunc('month', $as_of::DATE) + to_months($months),
               INTERVAL 1 MONTH)
),
core AS (
    SELECT dealer_id
    FROM core_ranking(($as_of::DATE - INTERVAL 1 YEAR)::DATE + 1, $as_of::DATE, $share,
                      $regions, $provinces, $territories, $salespeople)
    WHERE is_core
),
expiring AS (
    SELECT date_trunc('month', d.contract_end)::DATE AS month_start,
           count(*) AS expiring,
           count(c.dealer_id) AS core_expiring
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople) d
    LEFT JOIN core c ON c.dealer_id = d.dealer_id
    WHERE active_on(d.signed_on, d.terminated_on, $as_of)
      AND d.contract_end >= $as_of
      AND d.contract_end < date_trunc('month', $as_of::DATE) + to_months($months)
    GROUP BY 1
)
SELECT strftime(m.month_start, '%Y-%m') AS month,
       coalesce(e.expiring, 0) AS expiring,
       coalesce(e.core_expiring, 0) AS core_expiring
FROM months m
LEFT JOIN expiring e ON e.month_start = m.month_start
ORDER BY m.month_start
