-- Everything the sidebar filters can offer, within what the user may see (scope = the access):
-- one row per territory and rep (small). A rep's access names only themselves: their territory.
WITH reps AS (
    SELECT salesperson_id, name, territory_id
    FROM scoped_salespeople($regions, $provinces, $territories, $salespeople)
    WHERE role = 'rep'
),
offered AS (
    SELECT *
    FROM scoped_territories($regions, $provinces, $territories)
    WHERE len($salespeople) = 0 OR territory_id IN (SELECT territory_id FROM reps)
)
SELECT t.region, t.province, t.territory_id, t.territory_name,
       r.salesperson_id, r.name AS salesperson_name
FROM offered t
LEFT JOIN reps r ON r.territory_id = t.territory_id
ORDER BY t.region, t.province, t.territory_id, r.salesperson_id;
