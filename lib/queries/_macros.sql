-- Helpers installed as TEMP macros on every cursor (lib/db.py), so every query applies the
-- scope the same way, inside SQL. A scope argument is a VARCHAR[]; an empty list means "all".

CREATE OR REPLACE TEMP MACRO in_scope(selected, value) AS
    len(selected) = 0 OR list_contains(selected, value);

-- Business order of the funnel stages (R1); NULL for anything else.
CREATE OR REPLACE TEMP MACRO stage_order(stage) AS
    CASE stage WHEN 'market' THEN 1 WHEN 'lead' THEN 2 WHEN 'qualified' THEN 3
               WHEN 'signed' THEN 4 WHEN 'paid' THEN 5 END;

CREATE OR REPLACE TEMP MACRO stage_name(stage_order) AS
    ['market', 'lead', 'qualified', 'signed', 'paid'][stage_order];

-- Territories matching the geographic part of a scope.
CREATE OR REPLACE TEMP MACRO scoped_territories(regions, provinces, territories) AS TABLE
    SELECT t.*
    FROM territories t
    WHERE in_scope(regions, t.region)
      AND in_scope(provinces, t.province)
      AND in_scope(territories, t.territory_id);

-- Dealers in a scope: by the territory they belong to and their owner rep.
-- Carries region and province so queries need no second join.
CREATE OR REPLACE TEMP MACRO scoped_dealers(regions, provinces, territories, salespeople) AS TABLE
    SELECT d.*, t.region, t.province
    FROM dealers d
    JOIN territories t ON t.territory_id = d.territory_id
    WHERE in_scope(regions, t.region)
      AND in_scope(provinces, t.province)
      AND in_scope(territories, t.territory_id)
      AND in_scope(salespeople, d.salesperson_id);

-- Opportunities in a scope: by their territory and the rep who owns them.
CREATE OR REPLACE TEMP MACRO scoped_opportunities(regions, provinces, territories, salespeople) AS TABLE
    SELECT o.*, t.region, t.province
    FROM opportunities o
    JOIN territories t ON t.territory_id = o.territory_id
    WHERE in_scope(regions, t.region)
      AND in_scope(provinces, t.province)
      AND in_scope(territories, t.territory_id)
      AND in_scope(salespeople, o.salesperson_id);

-- Salespeople in a scope: by their home territory (people without one only match an
-- unrestricted geography) and by their own id.
CREATE OR REPLACE TEMP MACRO scoped_salespeople(regions, provinces, territories, salespeople) AS TABLE
    SELECT s.*, t.region, t.province
    FROM salespeople s
    LEFT JOIN territories t ON t.territory_id = s.territory_id
    WHERE in_scope(regions, t.region)
      AND in_scope(provinces, t.province)
      AND in_scope(territories, s.territory_id)
      AND in_scope(salespeople, s.salesperson_id);

-- A dealer is active on `day` when signed on or before it and not terminated on or before it.
CREATE OR REPLACE TEMP MACRO active_on(signed_on, terminated_on, day) AS
    signed_on <= day AND (terminated_on IS NULL OR terminated_on > day);

-- Each opportunity's funnel position as of a day (R1): the highest stage order reached and the
-- current one (latest entered_on; on the same date, the higher stage). Opportunities with no
-- row yet are absent here: callers coalesce them to 1 (market).
CREATE OR REPLACE TEMP MACRO stages_as_of(as_of) AS TABLE
    SELECT opportunity_id,
           max(stage_order(stage)) AS highest_stage,
           -- latest date first, then the higher stage: days since 1970 * 10 + stage order
           arg_max(stage_order(stage), (entered_on - DATE '1970-01-01') * 10 + stage_order(stage)) AS current_stage
    FROM stage_history
    WHERE entered_on <= as_of
    GROUP BY opportunity_id;

-- R4 core dealers over [start, end] (one definition for the Overview, the core-dealers report and
-- the contract watch of R12): in-scope dealers with at least one order row in the period, ranked by
-- order amount (desc, ties by dealer_id); core = the shortest prefix whose cumulative amount reaches
-- `share` of the total, compared in exact decimals; nobody is core when the total is 0 or less.
CREATE OR REPLACE TEMP MACRO core_ranking(start, end_, share, regions, provinces, territories, salespeople) AS TABLE
    WITH period_amounts AS (  -- filter by date before joining, one row per dealer
        SELECT dealer_id, sum(amount) AS amount
        FROM orders
        WHERE order_date BETWEEN start AND end_
        GROUP BY dealer_id
    ),
    ranked AS (
        SELECT d.*, a.amount,
               row_number() OVER ranking AS rank,
               sum(a.amount) OVER (ranking ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative,
               sum(a.amount) OVER () AS total
        FROM period_amounts a
        JOIN scoped_dealers(regions, provinces, territories, salespeople) d ON d.dealer_id = a.dealer_id
        WINDOW ranking AS (ORDER BY a.amount DESC, d.dealer_id)
    ),
    cut AS (
        SELECT *,
               -- length of the shortest prefix reaching the target; the empty prefix when the target is 0
               CASE WHEN total * share <= 0 THEN 0
                    ELSE min(CASE WHEN cumulative >= total * share THEN rank END) OVER () END AS core_size
        FROM ranked
    )
    SELECT *, coalesce(total > 0 AND rank <= core_size, false) AS is_core
    FROM cut;

-- R2 "open as of D" (one definition for the forecast, the profit matrix and their drill-downs):
-- created on or before D, not lost (lost_on empty or after D), current stage not `paid`; k = the
-- current stage order (no stage row yet = 1, market).
CREATE OR REPLACE TEMP MACRO open_opportunities(as_of, regions, provinces, territories, salespeople) AS TABLE
    SELECT o.*, coalesce(s.current_stage, 1) AS k
    FROM scoped_opportunities(regions, provinces, territories, salespeople) o
    LEFT JOIN stages_as_of(as_of) s ON s.opportunity_id = o.opportunity_id
    WHERE o.created_on <= as_of
      AND (o.lost_on IS NULL OR o.lost_on > as_of)
      AND coalesce(s.current_stage, 1) <> 5;

-- R3 profit band of an expected profit against the exact thresholds; an empty profit is `low`.
CREATE OR REPLACE TEMP MACRO profit_band(profit, high, medium) AS
    CASE WHEN profit >= high THEN 'high' WHEN profit >= medium THEN 'medium' ELSE 'low' END;
