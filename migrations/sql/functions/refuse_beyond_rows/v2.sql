-- refuse_beyond_rows, version 2, applied by migration 0053_probe_fixes_10. Released files never change (migrations/sql/README.md).
-- The desk's configuration that every client reads whole (policies, calendars, categories, canned responses,
-- rules, queues, statuses) holds a bounded number of rows: a lead's 12,000 nested categories, added in 3 s,
-- made every colleague's knowledge base take 73 s and 5.7 GB to open; 300 policies of 180 KB took a
-- client's ticket creation from 91 to 224 MB. A statement trigger after each insert, TG_ARGV[0] the most
-- rows, TG_ARGV[1] what they are ("SLA policies"). Counted as the owner (row-level security would hide
-- other queues' rows), one writer of a table at a time (an advisory lock held to the end of the
-- transaction: sessions inserting together each missed the others' rows), and at read committed only (a
-- snapshot older than the lock would not see the rows it waited for).
-- Version 2: the bound is the desk's, so nobody below an admin may spend it for everyone (probe 13: one
-- lead's 200 policies, or one editor's 1,000 categories, refused every other lead and every admin, and
-- nobody but the DBA could remove them). Staff fill at most three quarters of it, the rest kept for the
-- admins, and each login at most a tenth (at least one row) of rows it added that the desk still keeps (by the
-- config audit's insert rows with its name, written by the row triggers, which fire before this statement
-- trigger; an admin's removal of them gives the room back). Every bounded table staff insert into has an id.
CREATE OR REPLACE FUNCTION {{schema}}.refuse_beyond_rows()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    most bigint := TG_ARGV[0]::bigint;
    staff_most bigint := (TG_ARGV[0]::bigint * 3) / 4;
    own_most bigint := greatest(TG_ARGV[0]::bigint / 10, 1);
    held bigint;
    own bigint;
    who record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('switchboard.rows'), hashtext(TG_TABLE_NAME));
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% are added at read committed isolation (as the client does)', TG_ARGV[1]
            USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT FROM %I.%I LIMIT %s) s', TG_TABLE_SCHEMA, TG_TABLE_NAME, most + 1)
        INTO held;
    IF held > most THEN
        RAISE EXCEPTION 'the desk keeps at most % %', most, TG_ARGV[1] USING ERRCODE = 'program_limit_exceeded';
    END IF;
    who := session_who();
    IF who.agent_role IS NOT DISTINCT FROM 'admin' THEN
        RETURN NULL;
    END IF;
    IF held > staff_most THEN
        RAISE EXCEPTION 'the desk has % % of at most %: the last % are added by an admin', held, TG_ARGV[1], most,
            most - staff_most USING ERRCODE = 'program_limit_exceeded';
    END IF;
    EXECUTE format(
        'SELECT count(*) FROM (SELECT FROM audit_event a JOIN %I.%I r ON r.id = a.entity_id'
        ' WHERE a.ticket_id IS NULL AND a.action = ''insert'' AND a.entity = $1 AND a.actor_login = $2 LIMIT %s) s',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, own_most + 1)
        INTO own USING TG_TABLE_NAME::text, who.login::text;
    IF own > own_most THEN
        RAISE EXCEPTION 'one person adds at most % %; an admin adds more', own_most, TG_ARGV[1]
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    RETURN NULL;
END $fn$
