-- agent_preference_bounded, version 2, applied by migration 0048_probe_fixes_5. Released files never change (migrations/sql/README.md).
-- Version 2: SECURITY DEFINER. The advisory lock functions are no longer PUBLIC's in the desk's database (a
-- login filled the server's shared lock table with them and every database on the server stopped, the
-- DBA's connections too), so the lock is taken as the function's owner. Everything else as version 1,
-- whose notes follow.
-- A login keeps at most 200 preferences (saved views and a signature: a person has dozens): an agent wrote
-- twenty keys of 10 MB in eight seconds, and nothing limited how many. Each value is bounded by a check
-- (64 KiB). A trigger before each insert; the count is of the login's own rows (as its owner, who sees all).
CREATE OR REPLACE FUNCTION {{schema}}.agent_preference_bounded()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    -- One writer of a login's preferences at a time: ten sessions inserting together each counted the
    -- others' rows as absent and stored 2,000. An advisory lock, held to the end of the transaction; the
    -- client writes one preference at a time and never waits on it.
    PERFORM pg_advisory_xact_lock(hashtext('switchboard.agent_preference'), NEW.agent_id::integer);
    -- A snapshot older than the lock would not see the rows it waited for (repeatable read): refused.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'preferences are written at read committed isolation (as the client does)'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT FROM agent_preference p WHERE p.agent_id = NEW.agent_id AND p.key = NEW.key)  -- an upsert's update
       AND (SELECT count(*) FROM agent_preference p WHERE p.agent_id = NEW.agent_id) >= 200 THEN
        RAISE EXCEPTION 'a login keeps at most 200 preferences (saved views, its signature)'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $fn$
