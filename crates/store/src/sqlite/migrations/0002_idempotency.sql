-- Idempotency keys of the native API (the IETF draft "The Idempotency-Key
-- HTTP Header Field"): one row per (user, key). The row is written before
-- the request runs (in flight: status IS NULL) and completed with the
-- response after it, so that a retry replays that response instead of
-- applying the change a second time. Rows older than 24 hours are purged
-- lazily, whenever a key is begun (see sqlite/idempotency.rs).

CREATE TABLE idempotency_keys (
    user_num     INTEGER NOT NULL REFERENCES users (num),
    -- The header's value: 1 to 255 printable ASCII characters, case-sensitive.
    key          TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- The request the key was first used for: a retry must match all three.
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    body_sha256  BLOB    NOT NULL CHECK (length(body_sha256) = 32),
    -- The stored response; all NULL while the first request is in flight.
    -- Only answers below 500 are stored (a 5xx releases the key).
    status       INTEGER CHECK (status BETWEEN 100 AND 499),
    -- JSON array of [name, value] pairs (content-type, location).
    headers      TEXT,
    body         BLOB,
    created_at   TEXT    NOT NULL,
    completed_at TEXT,
    CHECK ((status IS NULL) = (completed_at IS NULL)),
    PRIMARY KEY (user_num, key)
) WITHOUT ROWID;

-- The lazy purge of expired keys.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
