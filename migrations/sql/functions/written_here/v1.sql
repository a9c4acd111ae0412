-- written_here, version 1, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Whether a row version this transaction can see was written by this transaction (or one of its
-- subtransactions): its xmin is still in progress, and another transaction's uncommitted rows are never
-- visible. The 32-bit xmin is widened by the epoch of `p_next_id` (the snapshot's xmax, as in
-- `change_log_horizon()`: an id is never more than 2^31 behind the next one). A frozen or truncated id
-- (long committed) is not in progress.
CREATE OR REPLACE FUNCTION {{schema}}.written_here(p_xmin xid, p_next_id bigint)
    RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT coalesce(pg_xact_status(CASE WHEN widened > p_next_id THEN widened - 4294967296 ELSE widened END
                                   ::text::xid8) = 'in progress', false)
    FROM (SELECT ((p_next_id >> 32) << 32) + p_xmin::text::bigint AS widened) w
$fn$
