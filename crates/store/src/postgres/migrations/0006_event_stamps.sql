-- Issue 13: the event feed in commit order without a database-wide lock
-- held by every write (see postgres/feed.rs). A write transaction inserts
-- its event unnumbered (seq NULL, only the internal id set); after it has
-- committed, one stamper at a time in the cluster numbers every committed,
-- unnumbered event in id order, above every number given before. Followers
-- read only numbered events, so a number is never given to an event
-- committed before an event that already has a higher one.

ALTER TABLE events ADD COLUMN id bigint;
UPDATE events SET id = seq;
CREATE SEQUENCE events_id_seq OWNED BY events.id;
SELECT setval('events_id_seq', coalesce((SELECT max(id) FROM events), 0) + 1, false);
ALTER TABLE events
    ALTER COLUMN id SET DEFAULT nextval('events_id_seq'),
    ALTER COLUMN id SET NOT NULL;
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id);

-- The public position: given by the stamper only.
ALTER TABLE events ALTER COLUMN seq DROP DEFAULT, ALTER COLUMN seq DROP NOT NULL;
DROP SEQUENCE events_seq_seq;
CREATE UNIQUE INDEX events_seq_key ON events (seq);
-- What the stamper looks for: small, since events wait there only from
-- their commit to the stamp that follows it.
CREATE INDEX events_unstamped ON events (id) WHERE seq IS NULL;

-- Number every committed, unnumbered event, in id order, after the
-- highest number given. Only run by the holder of the stamp lock (the
-- caller takes it), so that no two stampers compute the same top.
CREATE FUNCTION roster_stamp_pending() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    WITH top AS (SELECT coalesce(max(seq), 0) AS seq FROM events),
         todo AS (SELECT id, row_number() OVER (ORDER BY id) AS n
                  FROM events WHERE seq IS NULL),
         done AS (UPDATE events e SET seq = top.seq + todo.n
                  FROM top, todo WHERE e.id = todo.id RETURNING e.seq)
    SELECT count(*) FROM done
$$;

-- Number the event `mine` (committed by the caller) and any other waiting,
-- and return its number. Each statement of this VOLATILE function takes a
-- fresh snapshot (READ COMMITTED), so the stamping below sees every stamp
-- committed before the lock was granted. The lock is transaction-level:
-- called as a statement of its own, it is released at that statement's
-- commit, once the numbers are visible.
CREATE FUNCTION roster_stamp_events(mine bigint, lock_key bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    stamped bigint;
BEGIN
    IF mine IS NOT NULL THEN
        SELECT seq INTO stamped FROM events WHERE id = mine;
        IF stamped IS NOT NULL THEN
            RETURN stamped; -- another stamper numbered it already
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM events WHERE seq IS NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(lock_key);
    PERFORM roster_stamp_pending();
    IF mine IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT seq INTO stamped FROM events WHERE id = mine;
    RETURN stamped;
END
$$;
