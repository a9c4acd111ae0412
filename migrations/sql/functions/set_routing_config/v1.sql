-- set_routing_config, version 1, applied by migration 0010_routing. Released files never change (migrations/sql/README.md).
-- Routing weights and rules for one queue (a supervisor for a queue they lead, an admin for any) or the
-- default for every queue (admins); each change is a new version, which every later decision names.
CREATE OR REPLACE FUNCTION {{schema}}.set_routing_config(p_queue bigint, p_settings jsonb)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['supervisor', 'admin']);
            saved integer;
    BEGIN
        IF me IS NOT NULL AND NOT is_admin() AND (p_queue IS NULL OR (p_queue = ANY (led_queue_ids())) IS NOT TRUE) THEN
            RAISE EXCEPTION 'only the queue''s lead or an admin changes its routing' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_settings IS NULL OR jsonb_typeof(p_settings) <> 'object' THEN
            RAISE EXCEPTION 'routing settings are a JSON object' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE routing_config SET settings = p_settings, version = version + 1, updated_by = me, updated_at = now()
        WHERE queue_id IS NOT DISTINCT FROM p_queue RETURNING version INTO saved;
        IF NOT FOUND THEN
            INSERT INTO routing_config (queue_id, settings, updated_by) VALUES (p_queue, p_settings, me)
            RETURNING version INTO saved;
        END IF;
        RETURN saved;
    END $fn$
