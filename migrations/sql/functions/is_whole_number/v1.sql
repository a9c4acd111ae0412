-- is_whole_number, version 1, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Whether a JSON value is a whole number written as one (2, never 2.0 or 2.5) between p_least and p_most.
-- Settings were checked with `value::numeric % 1 = 0`, which lets 2.0 through, and read with `::integer`,
-- which refuses the text '2.0': a lead's overflow cap of 2.0 stopped every ticket creation and every
-- "become available" of the queue (an admin's, every queue's without settings of their own). One test for
-- every whole number a definer function stores in JSON; called by them, as the owner (no grant).
CREATE OR REPLACE FUNCTION {{schema}}.is_whole_number(p_value jsonb, p_least bigint, p_most bigint)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT coalesce(jsonb_typeof(p_value) = 'number' AND p_value::text ~ '^-?[0-9]{1,18}$'
                    AND p_value::text::bigint BETWEEN p_least AND p_most, false)
$fn$
