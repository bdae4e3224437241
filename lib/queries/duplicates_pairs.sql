-- R11 suspected duplicate dealers: the one definition of "N duplicates an earlier E".
-- A CTE fragment (no WITH, no trailing comma) included by name (`-- @include duplicates_pairs`)
-- by the duplicates report, R8's suspected_duplicate and the contest exclusion (R9/R10).
-- Defines duplicate_pairs(dealer_id = N, duplicate_of = E, matched_on) over ALL dealers: the
-- earlier dealer may lie outside any scope. No parameters.
digit_values AS MATERIALIZED (
    -- Every non-ASCII Unicode decimal digit (\p{Nd}: full-width ５, Arabic-Indic ٥, ...) and its
    -- ASCII value, for translate(): a full-width ５ is a 5. Nd digits come in runs of ten, 0..9 in
    -- code point order (a Unicode stability guarantee), so value = position mod 10.
    SELECT string_agg(chr(cp::INTEGER), '' ORDER BY cp) AS digits,
           string_agg(((n - 1) % 10)::VARCHAR, '' ORDER BY cp) AS ascii
    FROM (
        SELECT cp, row_number() OVER (ORDER BY cp) AS n
        FROM (SELECT range AS cp FROM range(128, 55296)          -- skip the surrogates: no chr()
              UNION ALL SELECT range FROM range(57344, 131072)) code_points
        WHERE regexp_full_match(chr(cp::INTEGER), '\p{Nd}')
    ) numbered
),
digit_fields AS (
    -- Phone and bank account with every decimal digit of any script as its ASCII value; the
    -- generic translate() is slow, so it runs only for the rare value that needs it.
    SELECT dealer_id, signed_on, field_order, field,
           regexp_replace(
               CASE WHEN NOT regexp_matches(raw, '[^0-9\P{Nd}]') THEN raw  -- no non-ASCII digit
                    WHEN NOT regexp_matches(translate(raw, '０１２３４５６７８９', '0123456789'), '[^0-9\P{Nd}]')
                        THEN translate(raw, '０１２３４５６７８９', '0123456789')  -- full-width only
                    ELSE translate(raw, v.digits, v.ascii) END,
               '[^0-9]', '', 'g') AS digits
    FROM (SELECT dealer_id, signed_on, 1 AS field_order, 'phone' AS field, phone AS raw
          FROM dealers WHERE phone IS NOT NULL
          UNION ALL
          SELECT dealer_id, signed_on, 3, 'bank_account', bank_account
          FROM dealers WHERE bank_account IS NOT NULL) raw_fields,
         digit_values v
),
duplicate_keys AS (
    -- One row per dealer and non-empty normalized field, so each field is an equi-join.
    SELECT dealer_id, signed_on, field_order, field, key
    FROM (
        SELECT dealer_id, signed_on, field_order, field,
               -- phone: digits only, the last 11 (drops +86 / 0086 prefixes); bank: digits only
               CASE field WHEN 'phone' THEN right(digits, 11) ELSE digits END AS key
        FROM digit_fields
        UNION ALL
        SELECT dealer_id, signed_on, 2, 'tax_id',
               -- upper case, every Unicode whitespace removed (full-width U+3000 included)
               upper(regexp_replace(tax_id, '[\s\p{Z}\x{0B}\x{1C}-\x{1F}\x{85}]', '', 'g'))
        FROM dealers WHERE tax_id IS NOT NULL
        UNION ALL
        SELECT dealer_id, signed_on, 4, 'address',
               -- letters and decimal digits of any script, case-folded: punctuation, spacing and
               -- other symbols (①, Ⅱ) never matter
               lower(regexp_replace(address, '[^\p{L}\p{Nd}]', '', 'g'))
        FROM dealers WHERE address IS NOT NULL
    ) normalized
    WHERE key <> ''  -- an empty normalized value matches nothing
),
duplicate_matches AS (
    SELECT later.dealer_id, earlier.dealer_id AS duplicate_of, later.field_order, later.field
    FROM duplicate_keys later
    JOIN duplicate_keys earlier
      ON earlier.field_order = later.field_order AND earlier.key = later.key
    -- E is earlier: signed before N, or the same day with a smaller dealer_id (so each pair once)
    WHERE earlier.signed_on < later.signed_on
       OR (earlier.signed_on = later.signed_on AND earlier.dealer_id < later.dealer_id)
),
duplicate_pairs AS (
    SELECT dealer_id, duplicate_of, string_agg(field, '+' ORDER BY field_order) AS matched_on
    FROM duplicate_matches
    GROUP BY dealer_id, duplicate_of
)
