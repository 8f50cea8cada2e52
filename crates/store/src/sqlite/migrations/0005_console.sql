-- The web console (issue 17): its sign-in sessions, and an index of each
-- community's people by username so that the console's member search by
-- prefix reads one index range per page, however large the community.

-- A signed-in browser. Only the SHA-256 of the cookie's secret is stored;
-- the CSRF token is per session. A session ends at expires_at or when
-- signed out (ended_at), and is then refused.
CREATE TABLE console_sessions (
    hash       BLOB    PRIMARY KEY CHECK (length(hash) = 32),
    user_num   INTEGER NOT NULL REFERENCES users (num),
    csrf       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    ended_at   TEXT
);

CREATE INDEX console_sessions_by_user ON console_sessions (user_num);

-- (community, lowercased username) for every membership row, kept by
-- triggers so that no write path changes: the member search walks
-- (community_num, name_key) from the prefix and stops after one page.
CREATE TABLE membership_names (
    community_num INTEGER NOT NULL,
    name_key      TEXT    NOT NULL,
    user_num      INTEGER NOT NULL,
    PRIMARY KEY (community_num, name_key)
) WITHOUT ROWID;

INSERT INTO membership_names (community_num, name_key, user_num)
    SELECT m.community_num, lower(u.username), m.user_num
    FROM memberships m JOIN users u ON u.num = m.user_num;

CREATE TRIGGER membership_names_insert AFTER INSERT ON memberships
BEGIN
    INSERT OR REPLACE INTO membership_names (community_num, name_key, user_num)
        SELECT NEW.community_num, lower(u.username), NEW.user_num
        FROM users u WHERE u.num = NEW.user_num;
END;

CREATE TRIGGER membership_names_delete AFTER DELETE ON memberships
BEGIN
    DELETE FROM membership_names
        WHERE community_num = OLD.community_num
          AND name_key = (SELECT lower(u.username) FROM users u WHERE u.num = OLD.user_num);
END;

-- The timeline's chart: a community's events by time.
CREATE INDEX events_by_community_time ON events (community_id, at);
