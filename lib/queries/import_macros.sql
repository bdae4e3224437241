-- Fast paths of the importer's value parsing (lib/importer.py), installed as TEMP macros on the
-- import connection. Each returns NULL for a value it does not recognise; the importer then parses
-- the distinct unrecognised values with the complete Python parsers of lib/import_formats.py, which
-- also word the reason when a value is bad. So a fast path may accept less than its Python parser,
-- never more (the date bounds are MIN_DATE/MAX_DATE there). Values arrive trimmed, empty = NULL.

-- 2025-03-07, 2025-3-7, 2025/3/7, 2025.3.7, 2025年3月7日, also followed by a time of day (ERP
-- timestamps keep their date). One strptime format per spelling, chosen by a regular expression:
-- try_strptime with a list of formats, or rewriting the separators first, is several times slower.
CREATE OR REPLACE TEMP MACRO import_date_in_bounds(d) AS
    CASE WHEN d BETWEEN DATE '1900-01-01' AND DATE '2999-12-31' THEN d END;

CREATE OR REPLACE TEMP MACRO import_day(d) AS
    import_date_in_bounds(CAST(
        CASE WHEN regexp_full_match(d, '\d{4}-\d{1,2}-\d{1,2}') THEN try_strptime(d, '%Y-%m-%d')
             WHEN regexp_full_match(d, '\d{4}/\d{1,2}/\d{1,2}') THEN try_strptime(d, '%Y/%m/%d')
             WHEN regexp_full_match(d, '\d{4}\.\d{1,2}\.\d{1,2}') THEN try_strptime(d, '%Y.%m.%d')
             WHEN regexp_full_match(d, '\d{4}年\d{1,2}月\d{1,2}日') THEN try_strptime(d, '%Y年%m月%d日')
        END AS DATE));

CREATE OR REPLACE TEMP MACRO import_date(v) AS
    import_day(CASE WHEN NOT contains(v, ' ') THEN v
                    WHEN regexp_full_match(v, '\S+ \d{1,2}:\d{2}(:\d{2})?') THEN split_part(v, ' ', 1)
               END);

-- 1234.5, -1234.50, 1,234.50, ¥1,234, ￥1234 with at most 2 decimals (万 and the rest: Python).
CREATE OR REPLACE TEMP MACRO import_money(v) AS
    CASE WHEN regexp_full_match(v, '-?\d{1,16}(\.\d{1,2})?') THEN TRY_CAST(v AS DECIMAL(18, 2))
         WHEN regexp_full_match(v, '-?[¥￥]?(\d{1,3}(,\d{3})+|\d{1,16})(\.\d{1,2})?')
         THEN TRY_CAST(replace(replace(replace(v, ',', ''), '¥', ''), '￥', '') AS DECIMAL(18, 2))
    END;

CREATE OR REPLACE TEMP MACRO import_int(v) AS
    CASE WHEN regexp_full_match(v, '-?\d{1,9}') THEN TRY_CAST(v AS INTEGER) END;

CREATE OR REPLACE TEMP MACRO import_year(v) AS
    CASE WHEN regexp_full_match(v, '\d{4}') AND TRY_CAST(v AS INTEGER) BETWEEN 1900 AND 2999
         THEN TRY_CAST(v AS INTEGER)
    END;

CREATE OR REPLACE TEMP MACRO import_number(v) AS
    CASE WHEN regexp_full_match(v, '-?(\d+(\.\d*)?|\.\d+)') THEN TRY_CAST(v AS DOUBLE) END;
