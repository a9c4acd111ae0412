-- change_log_kept_from, version 1, applied by migration 0023_change_log_kept_from. Released files never change (migrations/sql/README.md).
-- The position (txid, seq) of the oldest entry the change log still keeps, over every entry whoever may read
-- it: two numbers, never a row. Housekeeping deletes a prefix of the log by position and always keeps the
-- newest entry, so every entry ever deleted lies below this position: a follower whose applied position is
-- lower may have missed some and rebuilds (app/services/search). NULL for an inactive caller or an empty log.
CREATE OR REPLACE FUNCTION {{schema}}.change_log_kept_from()
    RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT ARRAY[txid, seq] FROM change_log WHERE (SELECT is_active_agent()) ORDER BY txid, seq LIMIT 1
$fn$
