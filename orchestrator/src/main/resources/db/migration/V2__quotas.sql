-- Quotas per API key (caller): joules per UTC day and requests per minute; null = no limit.
CREATE TABLE quota (
    caller              VARCHAR(32)      NOT NULL PRIMARY KEY,
    joules_per_day      DOUBLE PRECISION,
    requests_per_minute INTEGER,
    updated_at          TIMESTAMP        NOT NULL,
    updated_by          VARCHAR(32)      NOT NULL
);
