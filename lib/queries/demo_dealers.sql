-- Demo generator (lib/demo.py): the frame registered as demo_dealers, in key order.
INSERT INTO dealers (dealer_id, dealer_name, territory_id, salesperson_id, channel, signed_on, contract_end,
                     status, terminated_on, contact_name, phone, address, tax_id, bank_account, approved_new)
SELECT dealer_id, dealer_name, territory_id, salesperson_id, channel, signed_on::DATE, contract_end::DATE,
       status, terminated_on::DATE, contact_name, phone, address, tax_id, bank_account, approved_new
FROM demo_dealers
ORDER BY dealer_id;
