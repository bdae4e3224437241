-- Demo generator (lib/demo.py): the frame registered as demo_territories, in key order.
INSERT INTO territories (territory_id, territory_name, province, region, planned_dealers, opened_on)
SELECT territory_id, territory_name, province, region, planned_dealers, opened_on::DATE
FROM demo_territories
ORDER BY territory_id;
