-- Webhooks (issue 16): subscriptions to the event feed, each with its own
-- cursor (the last seq acknowledged with a 2xx, or skipped as unwanted),
-- the run of failures that pauses it, and the lease naming the one node
-- that delivers it now: a node takes or renews it with one conditional
-- UPDATE (free, its own, or expired by the database's clock), so that
-- exactly one node delivers a subscription at a time and another takes
-- over when a node dies.
CREATE TABLE webhooks (
    id            uuid        PRIMARY KEY,
    url           text        NOT NULL,
    -- NULL: every community.
    community_id  uuid,
    -- Comma list of event kinds; empty: every kind.
    kinds         text        NOT NULL DEFAULT '',
    -- The HMAC-SHA256 key, needed to sign each request.
    secret        text        NOT NULL,
    -- The user who created it; NULL: the operator (CLI).
    created_by    uuid,
    created_at    timestamptz NOT NULL,
    cursor        bigint      NOT NULL CHECK (cursor >= 0),
    failures      integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    paused_at     timestamptz,
    paused_reason text,
    lease_node    text,
    lease_until   timestamptz
);

-- The last attempts of each subscription (pruned to the newest 100).
CREATE TABLE webhook_deliveries (
    num         bigserial   PRIMARY KEY,
    webhook_id  uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq         bigint      NOT NULL,
    delivery_id text        NOT NULL,
    at          timestamptz NOT NULL,
    -- The receiver's HTTP status; NULL when it never answered.
    status      integer,
    error       text,
    latency_ms  bigint      NOT NULL,
    redelivery  boolean     NOT NULL DEFAULT false
);

CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, num);
