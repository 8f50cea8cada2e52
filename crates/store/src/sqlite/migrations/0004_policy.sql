-- The server-wide permission policy (issue 14): for each governed action
-- ever set, the lowest rank allowed to take it and when it was last set
-- (Rocket.Chat's `_updatedAt`). An action without a row has its default
-- (roster_engine::policy), so an empty table is today's rules. Changed only through Store::set_policy, which writes a
-- `policy_changed` event (on the site community) in the same transaction.

CREATE TABLE policy (
    action TEXT NOT NULL PRIMARY KEY,
    level      TEXT NOT NULL CHECK (level IN ('member', 'manager', 'owner', 'admin', 'nobody')),
    updated_at TEXT NOT NULL
);
