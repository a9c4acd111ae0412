-- refuse_beyond_rows, version 1, applied by migration 0050_probe_fixes_7. Released files never change (migrations/sql/README.md).
-- The desk's configuration that every client reads whole (policies, calendars, categories, canned responses,
-- rules, queues, statuses) holds a bounded number of rows: a lead's 12,000 nested categories, added in 3 s,
-- made every colleague's knowledge base take 73 s and 5.7 GB to open; 300 policies of 180 KB took a
-- client's ticket creation from 91 to 224 MB. A statement trigger after each insert, TG_ARGV[0] the most
-- rows, TG_ARGV[1] what they are ("SLA policies"). Counted as the owner (row-level security would hide
-- other queues' rows), one writer of a table at a time (an advisory lock held to the end of the
-- transaction: sessions inserting together each missed the others' rows), and at read committed only (a
-- snapshot older than the lock would not see the rows it waited for).
CREATE OR REPLACE FUNCTION {{schema}}.refuse_beyond_rows()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    most bigint := TG_ARGV[0]::bigint;
    held bigint;
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
    RETURN NULL;
END $fn$
