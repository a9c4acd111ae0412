-- save_sla_policy, version 1, applied by migration 0022_sla_admin. Released files never change (migrations/sql/README.md).
-- Adds (p_id NULL) or changes an SLA policy: an admin any policy, a team lead only a policy whose conditions
-- name queues they lead and nothing else (`queue_ids`), before and after the change, so a lead can neither
-- widen a policy to other teams' tickets nor take over one that applies to them. A change names the version
-- it was made on; if someone saved meanwhile it is refused, and the caller keeps what they typed. Moving a
-- lead's own policy in the match order only reorders it among tickets of their queues. The service checks
-- the spec with the same pure functions as the CLI first; this body checks only what decides who may.
CREATE OR REPLACE FUNCTION {{schema}}.save_sla_policy(
        p_id bigint, p_expected_version integer, p_name text, p_position integer, p_conditions jsonb,
        p_targets jsonb, p_business_hours boolean, p_calendar_id bigint, p_warn_share double precision,
        p_ladder jsonb, p_active boolean)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['supervisor', 'admin']);
            everyone boolean := me IS NULL OR is_admin();
            led bigint[] := led_queue_ids();
            old sla_policy;
            saved bigint;
    BEGIN
        IF p_id IS NOT NULL THEN
            SELECT * INTO old FROM sla_policy WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no SLA policy has the id %', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF NOT everyone AND (jsonb_typeof(old.conditions -> 'queue_ids') = 'array'
                    AND jsonb_array_length(old.conditions -> 'queue_ids') > 0
                    AND NOT EXISTS (SELECT FROM jsonb_array_elements_text(old.conditions -> 'queue_ids') q
                                    WHERE (q.value::bigint = ANY (led)) IS NOT TRUE)) IS NOT TRUE THEN
                RAISE EXCEPTION 'the SLA policy % applies to queues you do not lead: only an admin changes it', old.name
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF (old.version = p_expected_version) IS NOT TRUE THEN
                RAISE EXCEPTION 'the SLA policy % was saved by someone else meanwhile (version % now, you edited version %): reload it and make your change again', old.name, old.version, p_expected_version
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END IF;
        IF NOT everyone AND (jsonb_typeof(p_conditions -> 'queue_ids') = 'array'
                AND jsonb_array_length(p_conditions -> 'queue_ids') > 0
                AND NOT EXISTS (SELECT FROM jsonb_array_elements_text(p_conditions -> 'queue_ids') q
                                WHERE (q.value::bigint = ANY (led)) IS NOT TRUE)) IS NOT TRUE THEN
            RAISE EXCEPTION 'a team lead''s SLA policy applies only to queues they lead: choose them under Queues (an admin keeps policies for other queues)'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (length(btrim(p_name)) BETWEEN 1 AND 100) IS NOT TRUE THEN
            RAISE EXCEPTION 'a policy''s name is 1 to 100 characters' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (jsonb_typeof(p_conditions) = 'object' AND jsonb_typeof(p_targets) = 'object'
                AND jsonb_typeof(p_ladder) = 'array' AND p_position >= 0) IS NOT TRUE THEN
            RAISE EXCEPTION 'a policy has conditions and targets (objects), a ladder (a list) and a position of 0 or more'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT FROM sla_policy WHERE name = btrim(p_name) AND id IS DISTINCT FROM p_id) THEN
            RAISE EXCEPTION 'there is already an SLA policy named %', btrim(p_name) USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_id IS NULL THEN
            INSERT INTO sla_policy (name, position, conditions, targets, business_hours, calendar_id, warn_share,
                                    ladder, is_active)
            VALUES (btrim(p_name), p_position, p_conditions, p_targets, coalesce(p_business_hours, true), p_calendar_id,
                    coalesce(p_warn_share, 0.8), p_ladder, coalesce(p_active, true))
            RETURNING id INTO saved;
        ELSE
            UPDATE sla_policy SET name = btrim(p_name), position = p_position, conditions = p_conditions,
                   targets = p_targets, business_hours = coalesce(p_business_hours, true), calendar_id = p_calendar_id,
                   warn_share = coalesce(p_warn_share, 0.8), ladder = p_ladder, is_active = coalesce(p_active, true),
                   version = version + 1, updated_at = now()
            WHERE id = p_id RETURNING id INTO saved;
        END IF;
        RETURN saved;
    END $fn$
