-- Every decision as the API returned it (JSON), for /api/decision-history; pruned by age and count.
CREATE TABLE decision (
    request_id VARCHAR(64)  NOT NULL PRIMARY KEY,
    decided_at TIMESTAMP    NOT NULL,
    caller     VARCHAR(32)  NOT NULL,
    category   VARCHAR(64)  NOT NULL,
    outcome    VARCHAR(32)  NOT NULL,
    body       VARCHAR(1000000) NOT NULL
);
CREATE INDEX decision_by_time ON decision (decided_at);
