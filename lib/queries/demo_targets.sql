-- Demo generator (lib/demo.py): annual targets from the frame demo_targets (integer cents).
INSERT INTO targets (dealer_id, year, target_amount)
SELECT dealer_id, year, (cents::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2)
FROM demo_targets
ORDER BY dealer_id, year;
