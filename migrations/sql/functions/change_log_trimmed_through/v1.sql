-- change_log_trimmed_through, version 1, applied by migration 0029_change_log_trim. Released files never change (migrations/sql/README.md).
-- The position (txid, seq) of the newest entry housekeeping ever deleted from the change log (it records it
-- as it deletes): two numbers, never a row. A follower that applied everything up to a position and every
-- entry of the transactions below a horizon has missed a deleted entry only if this lies above both
-- (app/services/platform/changes.py). Replaces change_log_kept_from(): the oldest entry kept is also the
-- first entry of a log that was never trimmed, and a follower built on an empty log rebuilt at the first
-- change. NULL when nothing was ever trimmed, and for an inactive caller.
CREATE OR REPLACE FUNCTION {{schema}}.change_log_trimmed_through()
    RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT ARRAY[t.txid, t.seq] FROM change_log_trim t WHERE (SELECT is_active_agent())
$fn$
