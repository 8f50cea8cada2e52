-- Roster's first schema. Applied once, inside one IMMEDIATE transaction, and
-- recorded in schema_migrations (see sqlite/mod.rs). Timestamps are RFC 3339
-- UTC text with milliseconds ("2025-01-31T12:00:00.000Z"), so they sort
-- lexically; ids are hyphenated lowercase UUIDs; booleans are 0/1.

CREATE TABLE users (
    num            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    -- Case-insensitive: "Alice" and "alice" are one account, as users expect.
    username       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    email          TEXT    UNIQUE COLLATE NOCASE,
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    admin          INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    nickname       TEXT    NOT NULL DEFAULT '',
    slug           TEXT    NOT NULL DEFAULT '',
    first_name     TEXT    NOT NULL DEFAULT '',
    last_name      TEXT    NOT NULL DEFAULT '',
    photo_url      TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    last_login_at  TEXT
);

CREATE TABLE communities (
    num               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    name              TEXT    NOT NULL UNIQUE,
    description       TEXT    NOT NULL DEFAULT '',
    visibility        TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
    join_policy       TEXT    NOT NULL CHECK (join_policy IN ('open', 'request', 'invite')),
    contribution_mode TEXT    NOT NULL CHECK (contribution_mode IN ('anyone', 'managers')),
    archived          INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    site              INTEGER NOT NULL DEFAULT 0 CHECK (site IN (0, 1)),
    creator_num       INTEGER NOT NULL REFERENCES users (num),
    -- Counters: always equal to this community's membership rows (the store
    -- updates both in the same transaction); the engine reads them instead of
    -- counting, so no command ever loads a member list.
    members           INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),
    owners            INTEGER NOT NULL DEFAULT 0 CHECK (owners >= 0 AND owners <= members),
    pending           INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0),
    invited           INTEGER NOT NULL DEFAULT 0 CHECK (invited >= 0),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);

-- At most one site community per server.
CREATE UNIQUE INDEX communities_one_site ON communities (site) WHERE site = 1;

CREATE TABLE memberships (
    community_num INTEGER NOT NULL REFERENCES communities (num) ON DELETE CASCADE,
    user_num      INTEGER NOT NULL REFERENCES users (num),
    standing      TEXT    NOT NULL
        CHECK (standing IN ('owner', 'manager', 'member', 'invited', 'requested', 'banned')),
    -- When the current standing began (kept across role changes).
    since         TEXT    NOT NULL,
    PRIMARY KEY (community_num, user_num)
) WITHOUT ROWID;

-- A user's communities (communities_of).
CREATE INDEX memberships_by_user ON memberships (user_num, community_num);
-- Filtered listing and counting (requests, invitations, bans) in key order.
CREATE INDEX memberships_by_standing ON memberships (community_num, standing, user_num);

-- The audit log and change feed. Ids are text so that events outlive the
-- community they describe (a deleted community keeps its history).
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT    NOT NULL,
    community_id TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL,
    subject_id   TEXT,
    kind         TEXT    NOT NULL,
    reason       TEXT
);

CREATE INDEX events_by_community ON events (community_id, seq);

CREATE TABLE tokens (
    id         TEXT    PRIMARY KEY,
    user_num   INTEGER NOT NULL REFERENCES users (num),
    -- SHA-256 of the secret; the secret itself is never stored.
    hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    -- Comma list of community:read, community:write, admin.
    scopes     TEXT    NOT NULL,
    label      TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);

CREATE INDEX tokens_by_user ON tokens (user_num, created_at);
