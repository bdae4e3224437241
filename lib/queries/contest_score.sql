-- R10 contest score over a campaign of whole months: per rep (role rep, employed at some time in
-- the campaign, inside the filter scope $compare_*) developed_total and collected_total; `visible`
-- = inside the filter narrowed by the user's access ($regions..). Scores and ranks are
-- computed exactly in Python from these.
-- Parameters: scope, $campaign_first_day, $campaign_last_day, $earliest_signing (first day of the
-- earliest signing month that can still succeed in the campaign), and those of new_dealers_success.
WITH
contest_reps AS (
    SELECT salesperson_id, name, hired_on, left_on
    FROM scoped_salespeople($compare_regions, $compare_provinces, $compare_territories, $compare_salespeople)
    WHERE role = 'rep'
      AND (hired_on IS NULL OR hired_on <= $campaign_last_day)
      AND (left_on IS NULL OR left_on >= $campaign_first_day)
),
-- @include contest_dealers
,
-- @include contest_success_feed
,
-- @include new_dealers_success
,
developed_totals AS (
    -- the sum of R9's monthly `developed`: a success month counts only when R9 lists the rep in
    -- it, i.e. the rep was employed during that month
    SELECT c.salesperson_id, count(*) AS developed_total
    FROM contest_dealers c
    JOIN new_dealer_success s USING (dealer_id)  -- judged for the credited dealers only
    JOIN contest_reps r ON r.salesperson_id = c.salesperson_id
    WHERE s.success_month_start BETWEEN $campaign_first_day AND $campaign_last_day
      AND (r.hired_on IS NULL OR r.hired_on <= last_day(s.success_month_start))
      AND (r.left_on IS NULL OR r.left_on >= s.success_month_start)
    GROUP BY c.salesperson_id
),
collected_totals AS (
    SELECT c.salesperson_id, sum(p.amount) AS collected_total
    FROM payments p
    JOIN contest_dealers c USING (dealer_id)
    WHERE p.paid_on BETWEEN $campaign_first_day AND $campaign_last_day
      AND c.signed_on BETWEEN $campaign_first_day AND $campaign_last_day
      AND NOT c.excluded_duplicate
    GROUP BY c.salesperson_id
)
SELECT r.salesperson_id,
       r.name,
       coalesce(dv.developed_total, 0) AS developed_total,
       -- text keeps the exact decimal for the exact score; pandas would turn DECIMAL into float
       coalesce(ct.collected_total, 0)::DECIMAL(18, 2)::VARCHAR AS collected_total,
       -- compared with everyone in the filter, returned only if the user may see the rep
       r.salesperson_id IN (SELECT salesperson_id
                            FROM scoped_salespeople($regions, $provinces, $territories, $salespeople)) AS visible
FROM contest_reps r
LEFT JOIN developed_totals dv USING (salesperson_id)
LEFT JOIN collected_totals ct USING (salesperson_id)
ORDER BY r.salesperson_id
