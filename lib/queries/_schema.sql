-- The data contract of domain.md §2, plus the import log and the schema version.
-- Money is DECIMAL(18,2) so sums are exact to the cent; rates are computed as DOUBLE.
CREATE TABLE schema_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE territories (
    territory_id    VARCHAR PRIMARY KEY,
    territory_name  VARCHAR NOT NULL,
    province        VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    planned_dealers INTEGER NOT NULL CHECK (planned_dealers >= 0),
    opened_on       DATE
);

CREATE TABLE salespeople (
    salesperson_id VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    role           VARCHAR NOT NULL CHECK (role IN ('rep', 'manager', 'director')),
    territory_id   VARCHAR,
    manager_id     VARCHAR,
    hired_on       DATE,
    left_on        DATE
);

CREATE TABLE dealers (
    dealer_id      VARCHAR PRIMARY KEY,
    dealer_name    VARCHAR NOT NULL,
    territory_id   VARCHAR NOT NULL,
    salesperson_id VARCHAR NOT NULL,
    channel        VARCHAR,
    signed_on      DATE NOT NULL,
    contract_end   DATE,
    status         VARCHAR NOT NULL CHECK (status IN ('active', 'terminated')),
    terminated_on  DATE,
    contact_name   VARCHAR,
    phone          VARCHAR,
    address        VARCHAR,
    tax_id         VARCHAR,
    bank_account   VARCHAR,
    approved_new   BOOLEAN NOT NULL DEFAULT false,
    CHECK (status = 'active' OR terminated_on IS NOT NULL)
);

CREATE TABLE opportunities (
    opportunity_id    VARCHAR PRIMARY KEY,
    prospect_name     VARCHAR NOT NULL,
    territory_id      VARCHAR NOT NULL,
    salesperson_id    VARCHAR NOT NULL,
    created_on        DATE NOT NULL,
    expected_amount   DECIMAL(18, 2) CHECK (expected_amount >= 0),
    expected_profit   DECIMAL(18, 2),
    expected_close_on DATE,
    dealer_id         VARCHAR,
    lost_on           DATE,
    lost_reason       VARCHAR
);

CREATE TABLE stage_history (
    opportunity_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL CHECK (stage IN ('market', 'lead', 'qualified', 'signed', 'paid')),
    entered_on     DATE NOT NULL,
    PRIMARY KEY (opportunity_id, stage, entered_on)
);

CREATE TABLE orders (
    order_id       VARCHAR PRIMARY KEY,
    dealer_id      VARCHAR NOT NULL,
    order_date     DATE NOT NULL,
    amount         DECIMAL(18, 2) NOT NULL,
    quantity       DOUBLE,
    product_line   VARCHAR,
    salesperson_id VARCHAR
);

CREATE TABLE payments (
    payment_id     VARCHAR PRIMARY KEY,
    dealer_id      VARCHAR NOT NULL,
    paid_on        DATE NOT NULL,
    amount         DECIMAL(18, 2) NOT NULL,
    salesperson_id VARCHAR
);

CREATE TABLE targets (
    dealer_id     VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    target_amount DECIMAL(18, 2) NOT NULL CHECK (target_amount > 0),
    PRIMARY KEY (dealer_id, year)
);

CREATE TABLE import_log (
    import_id   INTEGER PRIMARY KEY,
    imported_at TIMESTAMP NOT NULL,
    source      VARCHAR NOT NULL,   -- 'import' (user files) or 'demo'
    files       VARCHAR NOT NULL,   -- JSON: [{"file": ..., "sha256": ..., "table": ..., "rows": ...}]
    counts      VARCHAR NOT NULL    -- JSON: {"orders": {"inserted": n, "updated": m}, ...}
);
