-- Demo generator (lib/demo.py): the frame registered as demo_salespeople, in key order.
INSERT INTO salespeople (salesperson_id, name, role, territory_id, manager_id, hired_on, left_on)
SELECT salesperson_id, name, role, territory_id, manager_id, hired_on::DATE, left_on::DATE
FROM demo_salespeople
ORDER BY salesperson_id;
