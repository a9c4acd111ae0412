-- refuse_beyond_rows, version 2, applied by migration 0053_probe_fixes_10. Released files never change (migrations/sql/README.md).
-- The desk's configuration that every client reads whole (policies, calendars, categories, canned responses,
-- rules, queues, statuses) holds a bounded number of rows: a lead's 12,000 nested categories, added in 3 s,
-- made every colleague's knowledge base take 73 s and 5.7 GB to open; 300 policies of 180 KB took a
-- client's ticket creation from 91 to 224 MB. TG_ARGV[0] the most rows, TG_ARGV[1] what they are ("SLA
-- policies"). Counted as the owner (row-level security would hide other queues' rows), one writer of a
-- table at a time (an advisory lock held to the end of the transaction: sessions inserting together each
-- missed the others' rows), and at read committed only (a snapshot older than the lock would not see the
-- rows it waited for).
-- Version 2, a trigger before each row (version 1 ran after the statement): the row past the bound is
-- refused, where a statement of 3,000 rows of 128 KB wrote 815 MB before it was refused at its end, and an
-- INSERT of no rows takes no lock (one held it for the transaction, and every writer of the table waited).
-- The bound is the desk's, so nobody below an admin spends all of it (probe 13: one lead's 200 policies,
-- or one editor's 1,000 categories, refused every other lead and every admin): staff fill at most three
-- quarters of it, the rest is the admins'. Each login's own share is `refuse_beyond_share()`.
CREATE OR REPLACE FUNCTION {{schema}}.refuse_beyond_rows()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    most bigint := TG_ARGV[0]::bigint;
    staff_most bigint := (TG_ARGV[0]::bigint * 3) / 4;
    held bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('switchboard.rows'), hashtext(TG_TABLE_NAME));
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% are added at read committed isolation (as the client does)', TG_ARGV[1]
            USING ERRCODE = 'check_violation';
    END IF;
    -- the rows before this one, of earlier statements and of this one's earlier rows alike
    EXECUTE format('SELECT count(*) FROM (SELECT FROM %I.%I LIMIT %s) s', TG_TABLE_SCHEMA, TG_TABLE_NAME, most)
        INTO held;
    IF held >= most THEN
        RAISE EXCEPTION 'the desk keeps at most % %', most, TG_ARGV[1] USING ERRCODE = 'program_limit_exceeded';
    END IF;
    IF held >= staff_most AND (session_who()).agent_role IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION 'the desk has % % of at most %: the last % are added by an admin', held, TG_ARGV[1], most,
            most - staff_most USING ERRCODE = 'program_limit_exceeded';
    END IF;
    RETURN NEW;
END $fn$
