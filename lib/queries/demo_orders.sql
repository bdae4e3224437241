-- Demo generator (lib/demo.py): a batch of orders from the frame demo_orders. Keys are
-- formatted here (fast, multi-threaded): 'SO' || yymm || the month's sequence number; dealers
-- are numbered 'JX' || zero-padded index + 1, as in demo_dealers. Amounts arrive as integer
-- cents so they are exact.
INSERT INTO orders (order_id, dealer_id, order_date, amount, quantity, product_line, salesperson_id)
SELECT 'SO' || lpad(ym::VARCHAR, 4, '0') || lpad(seq::VARCHAR, $seq_digits, '0'),
       'JX' || lpad((dealer + 1)::VARCHAR, $dealer_digits, '0'),
       DATE '1970-01-01' + day::INTEGER,
       (cents::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2),
       quantity,
       $product_lines[product + 1],
       NULL
FROM demo_orders
ORDER BY ym, seq;
