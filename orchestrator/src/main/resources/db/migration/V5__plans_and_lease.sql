-- Every plan the planner made: its inputs (the agents it planned, their device classes, models and
-- slowdowns, and the categories' budgets), its proof status and each agent's part. Replicas that do
-- not plan follow the latest; the next version is above every stored one (monotonic across
-- replicas and restarts).
CREATE TABLE plan (
    version     BIGINT           NOT NULL PRIMARY KEY,
    created_at  TIMESTAMP        NOT NULL,
    planner     VARCHAR(64)      NOT NULL,
    reason      VARCHAR(4000)    NOT NULL,
    objective   DOUBLE PRECISION NOT NULL,
    optimality  VARCHAR(32)      NOT NULL,
    plan_ms     DOUBLE PRECISION NOT NULL,
    inputs      VARCHAR(1000000) NOT NULL,
    parts       VARCHAR(1000000) NOT NULL
);
CREATE INDEX plan_by_time ON plan (created_at);
-- The planning lease: the one replica that plans holds it until expires_ms (epoch ms) and renews
-- it; term grows with every change of holder.
CREATE TABLE planning_lease (
    name       VARCHAR(32) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64),
    expires_ms BIGINT      NOT NULL,
    term       BIGINT      NOT NULL
);
INSERT INTO planning_lease (name, holder, expires_ms, term) VALUES ('planner', NULL, 0, 0);
