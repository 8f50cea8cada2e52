-- Webhooks (issue 16): subscriptions to the event feed, each with its own
-- cursor (the last seq acknowledged with a 2xx, or skipped as unwanted),
-- the run of failures that pauses it, and the lease naming the one node
-- that delivers it (SQLite has one node; the columns keep the shape of the
-- PostgreSQL schema). Ids are text like the events' ids.
CREATE TABLE webhooks (
    id            TEXT    PRIMARY KEY,
    url           TEXT    NOT NULL,
    -- NULL: every community.
    community_id  TEXT,
    -- Comma list of event kinds; empty: every kind.
    kinds         TEXT    NOT NULL DEFAULT '',
    -- The HMAC-SHA256 key, needed to sign each request.
    secret        TEXT    NOT NULL,
    -- The user who created it; NULL: the operator (CLI).
    created_by    TEXT,
    created_at    TEXT    NOT NULL,
    cursor        INTEGER NOT NULL CHECK (cursor >= 0),
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    paused_at     TEXT,
    paused_reason TEXT,
    lease_node    TEXT,
    lease_until   TEXT
);

-- The last attempts of each subscription (pruned to the newest 100).
CREATE TABLE webhook_deliveries (
    num         INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id  TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    delivery_id TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    -- The receiver's HTTP status; NULL when it never answered.
    status      INTEGER,
    error       TEXT,
    latency_ms  INTEGER NOT NULL,
    redelivery  INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, num);
