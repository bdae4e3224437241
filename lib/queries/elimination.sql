-- R7 elimination watch for year $year as of $as_of: every in-scope dealer with a target for the
-- year, plus every in-scope dealer active at some time in [$year_start, $as_of].
-- achievement = actual / (target * days_elapsed / days_in_year); the status compares
-- actual * days_in_year < min_achievement * target * days_elapsed in DECIMAL arithmetic, so an
-- achievement of exactly min_achievement is `ok`.
WITH scoped AS (
    SELECT dealer_id, dealer_name, signed_on, terminated_on
    FROM scoped_dealers($regions, $provinces, $territories, $salespeople)
),
year_targets AS (
    SELECT dealer_id, target_amount FROM targets WHERE year = $year
),
listed AS (
    SELECT s.dealer_id, s.dealer_name, t.target_amount
    FROM scoped s
    LEFT JOIN year_targets t ON t.dealer_id = s.dealer_id
    WHERE t.dealer_id IS NOT NULL
       OR (s.signed_on <= $as_of::DATE AND (s.terminated_on IS NULL OR s.terminated_on >= $year_start::DATE))
),
actuals AS (
    SELECT dealer_id, sum(amount) AS actual_amount
    FROM orders
    WHERE order_date >= $year_start::DATE AND order_date <= $as_of::DATE
    GROUP BY dealer_id
),
measured AS (
    SELECT l.dealer_id, l.dealer_name, l.target_amount,
           coalesce(a.actual_amount, 0::DECIMAL(38, 2)) AS actual_amount
    FROM listed l
    LEFT JOIN actuals a ON a.dealer_id = l.dealer_id
)
SELECT dealer_id, dealer_name, $year::INTEGER AS year, target_amount, actual_amount,
       CASE WHEN target_amount IS NOT NULL
            THEN actual_amount::DOUBLE * $days_in_year / (target_amount::DOUBLE * $days_elapsed) END AS achievement,
       CASE WHEN target_amount IS NULL THEN 'no_target'
            WHEN actual_amount * $days_in_year < $min_achievement * target_amount * $days_elapsed THEN 'watch'
            ELSE 'ok'
       END AS status
FROM measured
ORDER BY CASE status WHEN 'watch' THEN 0 WHEN 'ok' THEN 1 ELSE 2 END, achievement, dealer_id
