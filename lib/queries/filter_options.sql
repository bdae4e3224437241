-- Everything the sidebar filters can offer: one row per territory with its reps (small).
SELECT t.region, t.province, t.territory_id, t.territory_name,
       s.salesperson_id, s.name AS salesperson_name
FROM territories t
LEFT JOIN salespeople s ON s.territory_id = t.territory_id AND s.role = 'rep'
ORDER BY t.region, t.province, t.territory_id, s.salesperson_id;
