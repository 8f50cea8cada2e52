-- Idempotency keys of the native API: the same table as the SQLite
-- backend's 0002_idempotency.sql (see sqlite/idempotency.rs for the
-- protocol). One row per (user, key), written before the request runs (in
-- flight: status IS NULL) and completed with the response after it. Rows
-- older than 24 hours are purged lazily, whenever a key is begun.

CREATE TABLE idempotency_keys (
    user_num     bigint      NOT NULL REFERENCES users (num),
    -- The header's value: 1 to 255 printable ASCII characters, case-sensitive.
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- The request the key was first used for: a retry must match all three.
    method       text        NOT NULL,
    path         text        NOT NULL,
    body_sha256  bytea       NOT NULL CHECK (length(body_sha256) = 32),
    -- The stored response; all NULL while the first request is in flight.
    -- Only answers below 500 are stored (a 5xx releases the key).
    status       integer     CHECK (status BETWEEN 100 AND 499),
    -- JSON array of [name, value] pairs (content-type, location), as text
    -- so that it is replayed exactly as written.
    headers      text,
    body         bytea,
    created_at   timestamptz NOT NULL,
    completed_at timestamptz,
    CHECK ((status IS NULL) = (completed_at IS NULL)),
    PRIMARY KEY (user_num, key)
);

-- The lazy purge of expired keys.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
