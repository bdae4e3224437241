"""R11 suspected duplicate dealers: the `duplicates` report (lib/rules/duplicates.py)."""
from __future__ import annotations

import datetime as dt

from lib.rules.duplicates import duplicates
from lib.scope import Scope


def setup_territories(tdb):
    tdb.add("territories", territory_id="T1", region="华东", province="浙江")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")


def pairs(frame):
    return {(r.dealer_id, r.duplicate_of): r.matched_on for r in frame.itertuples()}


def test_chain_of_three_sharing_a_phone_gives_every_pair_once(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="D1", signed_on="2025-01-01", phone="13800138000")
    tdb.add("dealers", dealer_id="D2", signed_on="2025-02-01", phone="13800138000")
    tdb.add("dealers", dealer_id="D3", signed_on="2025-03-01", phone="13800138000")
    frame = duplicates(tdb.con, rules, Scope())
    # 3 dealers -> 3 pairs, each (later, earlier), sorted by dealer_id then duplicate_of
    assert list(frame.columns) == ["dealer_id", "duplicate_of", "matched_on", "signed_on",
                                   "duplicate_of_signed_on", "approved_new"]
    assert [(r.dealer_id, r.duplicate_of) for r in frame.itertuples()] == [("D2", "D1"), ("D3", "D1"), ("D3", "D2")]
    r = frame.iloc[1]
    assert (r["signed_on"], r["duplicate_of_signed_on"]) == (dt.date(2025, 3, 1), dt.date(2025, 1, 1))
    assert set(frame["matched_on"]) == {"phone"}


def test_earlier_by_signing_date_then_by_dealer_id(tdb, rules):
    setup_territories(tdb)
    # Z1 signed earlier than A9 although its id sorts later -> A9 duplicates Z1.
    tdb.add("dealers", dealer_id="Z1", signed_on="2024-05-01", tax_id="91330100MA2XXXX01")
    tdb.add("dealers", dealer_id="A9", signed_on="2024-05-02", tax_id="91330100MA2XXXX01")
    # Same day: the smaller dealer_id is the earlier one -> K2 duplicates K1.
    tdb.add("dealers", dealer_id="K2", signed_on="2024-06-01", bank_account="6222 0000 1111")
    tdb.add("dealers", dealer_id="K1", signed_on="2024-06-01", bank_account="6222-0000-1111")
    frame = duplicates(tdb.con, rules, Scope())
    assert pairs(frame) == {("A9", "Z1"): "tax_id", ("K2", "K1"): "bank_account"}


def test_phone_normalization_digits_only_last_eleven(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="P1", signed_on="2025-01-01", phone="138-0013-8000")
    tdb.add("dealers", dealer_id="P2", signed_on="2025-01-02", phone="+86 138 0013 8000")  # 8613800138000 -> last 11
    tdb.add("dealers", dealer_id="P3", signed_on="2025-01-03", phone="0086-(138)00138000")
    # A short landline is kept whole: 0571-8888888 -> 05718888888 (11); 8888888 alone does not match it.
    tdb.add("dealers", dealer_id="P4", signed_on="2025-01-04", phone="0571-8888888")
    tdb.add("dealers", dealer_id="P5", signed_on="2025-01-05", phone="8888888")
    tdb.add("dealers", dealer_id="P6", signed_on="2025-01-06", phone="(0571) 888 8888")
    frame = duplicates(tdb.con, rules, Scope())
    assert pairs(frame) == {("P2", "P1"): "phone", ("P3", "P1"): "phone", ("P3", "P2"): "phone",
                            ("P6", "P4"): "phone"}


def test_digits_of_any_script_count_by_value(tdb, rules):
    setup_territories(tdb)
    # full-width digits (common in typed Chinese data) and Arabic-Indic digits are digits by value
    tdb.add("dealers", dealer_id="F1", signed_on="2025-01-01", phone="１３８００１３８０００", bank_account="工商银行 6222 0101")
    tdb.add("dealers", dealer_id="F2", signed_on="2025-01-02", phone="138-0013-8000", bank_account="６２２２０１０１")
    tdb.add("dealers", dealer_id="F3", signed_on="2025-01-03", bank_account="٦٢٢٢٠١٠١")
    frame = duplicates(tdb.con, rules, Scope())
    assert pairs(frame) == {("F2", "F1"): "phone+bank_account", ("F3", "F1"): "bank_account",
                            ("F3", "F2"): "bank_account"}


def test_address_ignores_punctuation_spacing_and_case(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="A1", signed_on="2025-01-01", address="杭州市西湖区文三路 100号 B座")
    tdb.add("dealers", dealer_id="A2", signed_on="2025-01-02", address="杭州市，西湖区·文三路100号b座。")
    tdb.add("dealers", dealer_id="A3", signed_on="2025-01-03", address="杭州市西湖区文三路101号B座")
    tdb.add("dealers", dealer_id="A4", signed_on="2025-01-04", address="No. 5, Main St.")
    tdb.add("dealers", dealer_id="A5", signed_on="2025-01-05", address="no5 MAIN st")
    # symbols that are numbers but not decimal digits (①, Ⅱ) are dropped like punctuation
    tdb.add("dealers", dealer_id="A6", signed_on="2025-01-06", address="①号楼Ⅱ单元")
    tdb.add("dealers", dealer_id="A7", signed_on="2025-01-07", address="号楼 单元")
    frame = duplicates(tdb.con, rules, Scope())
    # A3 differs by a digit (101): no match.
    assert pairs(frame) == {("A2", "A1"): "address", ("A5", "A4"): "address", ("A7", "A6"): "address"}


def test_tax_id_upper_case_without_whitespace_and_bank_digits(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="T1", signed_on="2025-01-01", tax_id="91330100mA2b3c4d5e",
            bank_account="6222 0210 0100")
    # full-width space U+3000 and a tab count as whitespace; bank letters/dashes are dropped
    tdb.add("dealers", dealer_id="T2", signed_on="2025-01-02", tax_id=" 913301\u300000MA2B3C4D5E\t",
            bank_account="ICBC-6222-0210-0100")
    # a dash is not whitespace: 913301-00MA2B3C4D5E stays different
    tdb.add("dealers", dealer_id="T3", signed_on="2025-01-03", tax_id="913301-00MA2B3C4D5E")
    frame = duplicates(tdb.con, rules, Scope())
    assert pairs(frame) == {("T2", "T1"): "tax_id+bank_account"}


def test_rows_sorted_by_signing_date_of_the_later_dealer(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="B", signed_on="2025-01-01", phone="13800000001")
    tdb.add("dealers", dealer_id="A", signed_on="2025-03-01", phone="13800000001")
    tdb.add("dealers", dealer_id="Z", signed_on="2025-02-01", phone="13800000001")
    frame = duplicates(tdb.con, rules, Scope())
    # Z (Feb) duplicates B; A (Mar) duplicates B and Z: by N's signed_on, then ids
    assert [(r.dealer_id, r.duplicate_of) for r in frame.itertuples()] == [("Z", "B"), ("A", "B"), ("A", "Z")]


def test_all_matched_fields_in_contract_order(tdb, rules):
    setup_territories(tdb)
    common = dict(phone="13800138000", tax_id="TAX1", bank_account="123", address="A Street 1")
    tdb.add("dealers", dealer_id="M1", signed_on="2025-01-01", **common)
    tdb.add("dealers", dealer_id="M2", signed_on="2025-01-02", **common)
    tdb.add("dealers", dealer_id="M3", signed_on="2025-01-03", phone="13800138000", address="a street 1")
    tdb.add("dealers", dealer_id="M4", signed_on="2025-01-04", bank_account="123", tax_id="tax1")
    frame = duplicates(tdb.con, rules, Scope())
    # order is always phone, tax_id, bank_account, address
    assert pairs(frame) == {
        ("M2", "M1"): "phone+tax_id+bank_account+address",
        ("M3", "M1"): "phone+address",
        ("M3", "M2"): "phone+address",
        ("M4", "M1"): "tax_id+bank_account",
        ("M4", "M2"): "tax_id+bank_account",
    }


def test_empty_normalized_values_never_match(tdb, rules):
    setup_territories(tdb)
    # NULLs, empty strings, and values that normalize to '' (no digits / no letters) never match.
    tdb.add("dealers", dealer_id="E1", signed_on="2025-01-01", phone="", tax_id="  ", bank_account="--",
            address="，。")
    tdb.add("dealers", dealer_id="E2", signed_on="2025-01-02", phone="无", tax_id="\u3000", bank_account="N/A",
            address=" - ")
    tdb.add("dealers", dealer_id="E3", signed_on="2025-01-03")
    tdb.add("dealers", dealer_id="E4", signed_on="2025-01-04")
    frame = duplicates(tdb.con, rules, Scope())
    assert len(frame) == 0


def test_scope_follows_the_later_dealer_and_approval_is_shown(tdb, rules):
    setup_territories(tdb)
    tdb.add("dealers", dealer_id="E", signed_on="2025-01-01", territory_id="T2", phone="13800138000")
    tdb.add("dealers", dealer_id="N", signed_on="2025-02-01", territory_id="T1", phone="13800138000",
            approved_new=True)
    frame = duplicates(tdb.con, rules, Scope.of(regions=["华东"]))  # N in scope, E elsewhere: listed
    assert pairs(frame) == {("N", "E"): "phone"}
    assert bool(frame.iloc[0]["approved_new"]) is True
    assert len(duplicates(tdb.con, rules, Scope.of(regions=["华南"]))) == 0  # only E in scope
    assert len(duplicates(tdb.con, rules, Scope.of(regions=["西北"]))) == 0  # empty scope


def test_terminated_earlier_dealer_still_counts(tdb, rules):
    setup_territories(tdb)
    # The classic case: a dealer is dropped and reappears under a relative's name.
    tdb.add("dealers", dealer_id="OLD", signed_on="2020-01-01", status="terminated", terminated_on="2024-12-31",
            bank_account="6222000011112222")
    tdb.add("dealers", dealer_id="NEW", signed_on="2025-01-15", bank_account="6222 0000 1111 2222")
    assert pairs(duplicates(tdb.con, rules, Scope())) == {("NEW", "OLD"): "bank_account"}


def test_twenty_thousand_dealers_pairs_by_equi_join(tdb, rules):
    setup_territories(tdb)
    # 20,000 dealers; dealers 2k and 2k+1 share a phone (10,000 pairs), every 1,000th shares an
    # address with the next one too (20 of those pairs get phone+address); the rest are distinct.
    # Bank accounts carry Chinese text and every 10th phone is typed in full-width digits, so the
    # slow path of digit normalization is exercised too.
    tdb.con.execute("""
        INSERT INTO dealers (dealer_id, dealer_name, territory_id, salesperson_id, signed_on, status,
                             phone, address, tax_id, bank_account)
        SELECT printf('D%05d', i), 'd', 'T1', 'S1', DATE '2020-01-01' + CAST(i // 7 AS INTEGER), 'active',
               CASE WHEN i % 10 = 0
                    THEN translate(printf('138%08d', i // 2), '0123456789', '０１２３４５６７８９')
                    ELSE printf('138-%08d', i // 2) END,
               CASE WHEN i % 1000 IN (0, 1) THEN printf('Road %d', i // 1000) ELSE printf('Street %d', i) END,
               printf('TAX%d', i), printf('工商银行杭州分行 %d', 1000000 + i)
        FROM range(20000) t(i)
    """)
    # Speed is measured by bench/reports.py; here only the counts at scale.
    frame = duplicates(tdb.con, rules, Scope())
    assert len(frame) == 10000
    assert (frame["matched_on"] == "phone+address").sum() == 20
