-- set_routing_config, version 3, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 3: whole numbers (overflow_cap, urgent_weight, skill levels) are written as whole numbers (`is_whole_number()`): 2.0 passed the check and stopped `route_ticket()`'s read of the cap, so every creation and "become available" of the queue failed. Everything else as version 2, whose notes follow.
-- Routing weights and rules for one queue (a supervisor for a queue they lead, an admin for any) or the
-- default for every queue (admins); each change is a new version, which every later decision names.
-- Version 2 checks what it stores, since every routing of the queue reads it (a weight that is not a
-- number would stop intake): weights are known factors (skill, language, room, stickiness, track_record,
-- sla_risk) with numbers 0 to 100; overflow_cap a whole number 0 to 10; urgent_weight 1 to 10; skills
-- a skill -> level (1 to 5) object, skills_by_tag a tag -> such an object; nothing else.
CREATE OR REPLACE FUNCTION {{schema}}.set_routing_config(p_queue bigint, p_settings jsonb)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['supervisor', 'admin']);
            saved integer;
            tag record;
    BEGIN
        IF me IS NOT NULL AND (is_admin() IS NOT TRUE) AND (p_queue IS NULL OR (p_queue = ANY (led_queue_ids())) IS NOT TRUE) THEN
            RAISE EXCEPTION 'only the queue''s lead or an admin changes its routing' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_settings IS NULL OR jsonb_typeof(p_settings) <> 'object' THEN
            RAISE EXCEPTION 'routing settings are a JSON object' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_queue IS NOT NULL AND NOT EXISTS (SELECT FROM queue WHERE id = p_queue) THEN
            RAISE EXCEPTION 'no queue %', p_queue USING ERRCODE = 'no_data_found';
        END IF;
        IF EXISTS (SELECT FROM jsonb_object_keys(p_settings) k
                   WHERE k NOT IN ('weights', 'overflow_cap', 'urgent_weight', 'skills', 'skills_by_tag')) THEN
            RAISE EXCEPTION 'unknown routing settings (weights, overflow_cap, urgent_weight, skills, skills_by_tag)'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_settings ? 'weights' AND (jsonb_typeof(p_settings -> 'weights') IS DISTINCT FROM 'object' OR EXISTS (
            SELECT FROM jsonb_each(p_settings -> 'weights') w
            WHERE w.key NOT IN ('skill', 'language', 'room', 'stickiness', 'track_record', 'sla_risk')
               OR jsonb_typeof(w.value) <> 'number' OR (w.value::numeric BETWEEN 0 AND 100) IS NOT TRUE)) THEN
            RAISE EXCEPTION 'weights are skill, language, room, stickiness, track_record and sla_risk, each 0 to 100'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_settings ? 'overflow_cap' AND NOT is_whole_number(p_settings -> 'overflow_cap', 0, 10) THEN
            RAISE EXCEPTION 'overflow_cap is a whole number 0 to 10' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_settings ? 'urgent_weight' AND NOT is_whole_number(p_settings -> 'urgent_weight', 1, 10) THEN
            RAISE EXCEPTION 'urgent_weight is a whole number 1 to 10' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOR tag IN
            SELECT 'skills' AS key, p_settings -> 'skills' AS value WHERE p_settings ? 'skills'
            UNION ALL
            SELECT t.key, t.value FROM jsonb_each(CASE WHEN jsonb_typeof(p_settings -> 'skills_by_tag') = 'object'
                                                       THEN p_settings -> 'skills_by_tag' ELSE '{}' END) t
            UNION ALL
            SELECT 'skills_by_tag', p_settings -> 'skills_by_tag'
            WHERE p_settings ? 'skills_by_tag' AND jsonb_typeof(p_settings -> 'skills_by_tag') <> 'object'
        LOOP
            IF jsonb_typeof(tag.value) IS DISTINCT FROM 'object' OR EXISTS (
                SELECT FROM jsonb_each(tag.value) s WHERE NOT is_whole_number(s.value, 1, 5)) THEN
                RAISE EXCEPTION 'skills are skill -> level (1 to 5) objects (%)', tag.key USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END LOOP;
        UPDATE routing_config SET settings = p_settings, version = version + 1, updated_by = me, updated_at = now()
        WHERE queue_id IS NOT DISTINCT FROM p_queue RETURNING version INTO saved;
        IF NOT FOUND THEN
            INSERT INTO routing_config (queue_id, settings, updated_by) VALUES (p_queue, p_settings, me)
            RETURNING version INTO saved;
        END IF;
        RETURN saved;
    END $fn$
