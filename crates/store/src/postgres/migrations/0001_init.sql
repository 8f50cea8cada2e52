-- Roster's first PostgreSQL schema: the same tables as the SQLite backend's
-- 0001_init.sql, in PostgreSQL's native types. Applied once, inside one
-- transaction holding the migration advisory lock, and recorded in
-- schema_migrations (see postgres/migrate.rs).
--
-- Timestamps are timestamptz written with millisecond precision (the store
-- truncates before writing), ids are uuid, booleans are boolean.

CREATE TABLE users (
    num            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             uuid        NOT NULL UNIQUE,
    username       text        NOT NULL,
    email          text,
    email_verified boolean     NOT NULL DEFAULT false,
    admin          boolean     NOT NULL DEFAULT false,
    nickname       text        NOT NULL DEFAULT '',
    slug           text        NOT NULL DEFAULT '',
    first_name     text        NOT NULL DEFAULT '',
    last_name      text        NOT NULL DEFAULT '',
    photo_url      text        NOT NULL DEFAULT '',
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_login_at  timestamptz
);

-- Case-insensitive: "Alice" and "alice" are one account, as users expect
-- (SQLite's COLLATE NOCASE). The store looks both up by lower(), and maps a
-- violation of these indexes (two nodes creating one name at once) to
-- UsernameTaken / EmailTaken by their names.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE communities (
    num               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                uuid        NOT NULL UNIQUE,
    -- Exact (case-sensitive) names, as in SQLite; a violation is NameTaken.
    name              text        NOT NULL CONSTRAINT communities_name_key UNIQUE,
    description       text        NOT NULL DEFAULT '',
    visibility        text        NOT NULL CHECK (visibility IN ('public', 'private')),
    join_policy       text        NOT NULL CHECK (join_policy IN ('open', 'request', 'invite')),
    contribution_mode text        NOT NULL CHECK (contribution_mode IN ('anyone', 'managers')),
    archived          boolean     NOT NULL DEFAULT false,
    site              boolean     NOT NULL DEFAULT false,
    creator_num       bigint      NOT NULL REFERENCES users (num),
    -- Counters: always equal to this community's membership rows (the store
    -- updates both in the same transaction, under the community row's lock);
    -- the engine reads them instead of counting.
    members           bigint      NOT NULL DEFAULT 0 CHECK (members >= 0),
    owners            bigint      NOT NULL DEFAULT 0 CHECK (owners >= 0 AND owners <= members),
    pending           bigint      NOT NULL DEFAULT 0 CHECK (pending >= 0),
    invited           bigint      NOT NULL DEFAULT 0 CHECK (invited >= 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

-- At most one site community per server, whichever node creates it.
CREATE UNIQUE INDEX communities_one_site ON communities (site) WHERE site;

CREATE TABLE memberships (
    community_num bigint      NOT NULL REFERENCES communities (num) ON DELETE CASCADE,
    user_num      bigint      NOT NULL REFERENCES users (num),
    standing      text        NOT NULL
        CHECK (standing IN ('owner', 'manager', 'member', 'invited', 'requested', 'banned')),
    -- When the current standing began (kept across role changes).
    since         timestamptz NOT NULL,
    PRIMARY KEY (community_num, user_num)
);

-- A user's communities (communities_of).
CREATE INDEX memberships_by_user ON memberships (user_num, community_num);
-- Filtered listing and counting (requests, invitations, bans) in key order.
CREATE INDEX memberships_by_standing ON memberships (community_num, standing, user_num);

-- The audit log and change feed. Ids are not foreign keys so that events
-- outlive the community they describe (a deleted community keeps its
-- history). seq comes from a sequence, and each writer takes it under a
-- transaction-level advisory lock held to commit, so that events become
-- visible in seq order (see postgres/communities.rs, insert_event).
CREATE TABLE events (
    seq          bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL,
    community_id uuid        NOT NULL,
    actor_id     uuid        NOT NULL,
    subject_id   uuid,
    kind         text        NOT NULL,
    reason       text
);

CREATE INDEX events_by_community ON events (community_id, seq);

CREATE TABLE tokens (
    -- Creation order, to break ties between tokens created in one millisecond.
    num        bigint      GENERATED ALWAYS AS IDENTITY,
    id         uuid        PRIMARY KEY,
    user_num   bigint      NOT NULL REFERENCES users (num),
    -- SHA-256 of the secret; the secret itself is never stored.
    hash       bytea       NOT NULL UNIQUE CHECK (length(hash) = 32),
    -- Comma list of community:read, community:write, admin.
    scopes     text        NOT NULL,
    label      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz
);

CREATE INDEX tokens_by_user ON tokens (user_num, created_at);
