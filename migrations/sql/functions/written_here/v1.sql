-- written_here, version 1, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Whether a row version this transaction can see was written by this transaction (or one of its
-- subtransactions): its xmin is still in progress, and another transaction's uncommitted rows are never
-- visible. The 32-bit xmin is widened to the 64-bit id nearest `p_next_id` (the snapshot's xmax: a visible
-- row's id is within 2^31 of it, below it or, for this transaction's own ids assigned after other
-- transactions began, a little above it). A long committed id is not in progress.
CREATE OR REPLACE FUNCTION {{schema}}.written_here(p_xmin xid, p_next_id bigint)
    RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT coalesce(pg_xact_status(full_id::text::xid8) = 'in progress', false)
    FROM (SELECT CASE WHEN widened - p_next_id > 2147483648 THEN widened - 4294967296
                      WHEN p_next_id - widened > 2147483648 THEN widened + 4294967296
                      ELSE widened END AS full_id
          FROM (SELECT ((p_next_id >> 32) << 32) + p_xmin::text::bigint AS widened) w) f
    WHERE full_id >= 0
$fn$
