-- refuse_beyond_share, version 1, applied by migration 0053_probe_fixes_10. Released files never change (migrations/sql/README.md).
-- Each login's share of a bounded table (`refuse_beyond_rows()` keeps the desk's bound, row by row): below an
-- admin, at most a tenth of the bound (at least one row) of rows it added that the desk still keeps. One
-- lead's 200 policies, or one editor's 1,000 categories, refused every other lead and every admin, and only
-- the DBA could remove them (probe 13). Counted by the config audit's insert rows with the login's name,
-- which the row triggers write before this statement trigger runs (an admin's removal of a row gives its
-- room back), joined to the rows still there: every bounded table staff insert into has an id. A statement
-- after its rows (`new_rows`, its transition table): one that inserted none returns at once; one that did
-- holds the table's lock already, taken by its first row.
CREATE OR REPLACE FUNCTION {{schema}}.refuse_beyond_share()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    own_most bigint := greatest(TG_ARGV[0]::bigint / 10, 1);
    own bigint;
    who record;
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    who := session_who();
    IF who.agent_role IS NOT DISTINCT FROM 'admin' THEN
        RETURN NULL;
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
