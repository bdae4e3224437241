-- Demo generator (lib/demo.py): opportunities from the frame demo_opportunities. Keys and names
-- arrive as numbers and list indices (0-based) and are formatted here, as in the other demo
-- tables: 'SJ' || number, 'T' || territory + 1, 'E' || rep number, 'JX' || dealer + 1
-- (dealer -1 = not signed); the prospect name is city || brand || industry || suffix.
-- Amounts arrive as integer cents.
INSERT INTO opportunities (opportunity_id, prospect_name, territory_id, salesperson_id, created_on,
                           expected_amount, expected_profit, expected_close_on, dealer_id, lost_on, lost_reason)
SELECT 'SJ' || lpad(number::VARCHAR, $opportunity_digits, '0'),
       $cities[territory + 1] || $brands[brand + 1] || $industries[industry + 1] || $suffixes[suffix + 1],
       'T' || lpad((territory + 1)::VARCHAR, $territory_digits, '0'),
       'E' || lpad(rep::VARCHAR, $staff_digits, '0'),
       created_on::DATE,
       (amount_cents::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2),
       (profit_cents::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2),
       expected_close_on::DATE,
       CASE WHEN dealer >= 0 THEN 'JX' || lpad((dealer + 1)::VARCHAR, $dealer_digits, '0') END,
       lost_on::DATE,
       CASE WHEN reason >= 0 THEN $reasons[reason + 1] END
FROM demo_opportunities
ORDER BY number;
