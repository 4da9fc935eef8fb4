-- The energy ledger: per API key (caller; '-' without keys), category and hour, what was asked,
-- answered and refused, and the joules measured and predicted. Portable SQL (H2 and PostgreSQL).
CREATE TABLE usage_hour (
    caller           VARCHAR(32)      NOT NULL,
    category         VARCHAR(64)      NOT NULL,
    hour_start       TIMESTAMP        NOT NULL,
    requests         BIGINT           NOT NULL,
    answered         BIGINT           NOT NULL,
    refused          BIGINT           NOT NULL,
    joules           DOUBLE PRECISION NOT NULL,
    predicted_joules DOUBLE PRECISION NOT NULL,
    violations       BIGINT           NOT NULL,
    PRIMARY KEY (caller, category, hour_start)
);
CREATE INDEX usage_hour_by_time ON usage_hour (hour_start);
