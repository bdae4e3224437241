-- Demo generator (lib/demo.py): stage rows from the frame demo_stage_history: the
-- opportunity's number ('SJ' || number, as in demo_opportunities) and the stage's business
-- order 1..5 (market..paid), named through $stages.
INSERT INTO stage_history (opportunity_id, stage, entered_on)
SELECT 'SJ' || lpad(number::VARCHAR, $opportunity_digits, '0'), $stages[stage], DATE '1970-01-01' + day::INTEGER
FROM demo_stage_history
ORDER BY 1, 2, 3;
