-- Demo generator (lib/demo.py): payments from the frame demo_payments; 'HK' || yymm || the
-- month's sequence number. Amounts arrive as integer cents.
INSERT INTO payments (payment_id, dealer_id, paid_on, amount, salesperson_id)
SELECT 'HK' || lpad(ym::VARCHAR, 4, '0') || lpad(seq::VARCHAR, $seq_digits, '0'),
       'JX' || lpad((dealer + 1)::VARCHAR, $dealer_digits, '0'),
       DATE '1970-01-01' + day::INTEGER,
       (cents::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2),
       NULL
FROM demo_payments
ORDER BY ym, seq;
