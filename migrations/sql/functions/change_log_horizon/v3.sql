-- change_log_horizon, version 3, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Version 3 answers only active staff and trusted sessions, like the change log itself.
-- A 32-bit transaction id widened to the 64-bit form of pg_current_xact_id(), by the epoch of `next_id`
-- (an id is never more than 2^31 behind the next one).
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
    SELECT min(CASE WHEN widened > next_id THEN widened - 4294967296 ELSE widened END) INTO oldest
    FROM (SELECT ((next_id >> 32) << 32) + xid::text::bigint AS widened
          FROM (SELECT backend_xid AS xid FROM pg_stat_activity
                WHERE datname = current_database() AND backend_xid IS NOT NULL
                UNION ALL
                SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()) running
         ) ids;
    RETURN least(coalesce(oldest, next_id), next_id);
END $fn$
