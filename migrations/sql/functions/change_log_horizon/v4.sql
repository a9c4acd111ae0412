-- change_log_horizon, version 4, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- Version 3 counted every transaction running in this database, whoever ran it: a login in no group of the
-- desk (PUBLIC keeps CONNECT on a new database) that began a transaction and sat in it froze every client's
-- live updates and search feed for as long as it liked, and the worker's `end_stale_transactions()` ends
-- only staff. Only a session that can write the desk's tables can write the change log: a member of the
-- agent, supervisor, admin or owner role, or a superuser; only theirs hold the horizon now.
-- Everything else as version 3, whose notes follow.
-- Version 2 widened a running transaction's 32-bit id with the snapshot's xmax epoch, as if every
-- running id were below xmax; an id above it (this transaction's own while an older one runs) was taken for
-- the previous epoch's, and the horizon went negative. Now the nearest 64-bit id, as `written_here()`.
-- The change log's horizon: the id of the oldest transaction still running in this database (or the next
-- id, if none): every transaction below it has ended, so a reader that reads below it never misses a row
-- that commits later with a smaller id. Active staff and trusted sessions only.
CREATE OR REPLACE FUNCTION {{schema}}.change_log_horizon()
    RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    next_id bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    oldest bigint;
BEGIN
    IF NOT (is_active_agent() OR is_trusted_session()) THEN
        RAISE EXCEPTION 'only active staff read the change log' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_stat_clear_snapshot();
    SELECT min(CASE WHEN widened - next_id > 2147483648 THEN widened - 4294967296
                    WHEN next_id - widened > 2147483648 THEN widened + 4294967296
                    ELSE widened END) INTO oldest
    FROM (SELECT ((next_id >> 32) << 32) + xid::text::bigint AS widened
          FROM (SELECT a.backend_xid AS xid, a.usesysid AS writer FROM pg_stat_activity a
                WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL
                UNION ALL
                SELECT p.transaction, r.oid FROM pg_prepared_xacts p JOIN pg_roles r ON r.rolname = p.owner
                WHERE p.database = current_database()) running
          WHERE pg_has_role(writer, {{agent_role:literal}}, 'MEMBER')
             OR pg_has_role(writer, {{supervisor_role:literal}}, 'MEMBER')
             OR pg_has_role(writer, {{admin_role:literal}}, 'MEMBER')
             OR pg_has_role(writer, {{owner_role:literal}}, 'MEMBER')
             OR EXISTS (SELECT FROM pg_roles s WHERE s.oid = writer AND s.rolsuper)
         ) ids;
    RETURN least(coalesce(oldest, next_id), next_id);
END $fn$
