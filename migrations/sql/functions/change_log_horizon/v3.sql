-- change_log_horizon, version 3, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Version 3 answers only active staff and trusted sessions, like the change log itself, and widens a running
-- transaction's 32-bit id to the 64-bit id nearest `next_id` (the snapshot's xmax, one past the latest
-- completed id): version 2 took any id above xmax for one of the previous epoch, and two transactions
-- running at once (the younger one's id above xmax) made the horizon negative, so followers read nothing
-- new until they ended.
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
          FROM (SELECT backend_xid AS xid FROM pg_stat_activity
                WHERE datname = current_database() AND backend_xid IS NOT NULL
                UNION ALL
                SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()) running
         ) ids;
    RETURN least(coalesce(oldest, next_id), next_id);
END $fn$
