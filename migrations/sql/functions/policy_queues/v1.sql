-- policy_queues, version 1, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- The queues an SLA policy's conditions limit it to (`queue_ids`, whole numbers), or NULL: every queue (no
-- such condition, an empty one, or one that is not a list of ids). For `sla_config_changed()`.
CREATE OR REPLACE FUNCTION {{schema}}.policy_queues(p_conditions jsonb)
    RETURNS bigint[] LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT CASE WHEN jsonb_typeof(p_conditions -> 'queue_ids') = 'array'
                     AND jsonb_array_length(p_conditions -> 'queue_ids') > 0
                     AND NOT EXISTS (SELECT FROM jsonb_array_elements_text(p_conditions -> 'queue_ids') q
                                     WHERE q.value !~ '^[0-9]{1,18}$')
                THEN ARRAY(SELECT DISTINCT q.value::bigint FROM jsonb_array_elements_text(p_conditions -> 'queue_ids') q
                           ORDER BY 1)
           END
$fn$
