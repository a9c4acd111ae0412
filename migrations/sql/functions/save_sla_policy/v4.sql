-- save_sla_policy, version 4, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Version 3 checked the ladder steps' and the conditions' known keys and let any other key through, with any
-- value: a team lead saved a step with a "note" nested 3,000 lists deep (6 KB), which no Python client can
-- read (the JSON reader's recursion), and from then on every ticket creation in every queue and every SLA
-- sweep failed (migration 0049 also bounds how deep any stored JSON nests). A condition is now one of the
-- keys the engine reads (queue_ids, organisation_ids, priorities, types, channels, any_tags, tiers,
-- account.NAME) and a step holds only level, after_breach_minutes, action and queue_id; an account
-- condition's whole number has at most 18 digits (1e5000 was taken and no Python client could read it).
-- Everything else as version 3, whose notes follow.
-- Version 2 took an account condition's value of 1.5, [] or "  ", which the engine's reader refuses
-- (`account_conditions`): the policy was saved and then silently left out. A value is now text with a
-- character other than an ASCII space, tab or line break (whatever the database's locale calls a space),
-- or a whole number, alone or in a list of at least one; as the reader.
-- Everything else as version 2, whose notes follow.
-- Version 1 checked only who may save and left the spec to the client, which a modified client (or psql)
-- skipped: a target of "abc" minutes made every due-time calculation of every queue fail, a target of
-- 99,999,999,999,999 minutes stopped the sweep for all, and a lead's ladder could move tickets into a queue
-- they may not move tickets into. Now the spec is checked here as `policy_from_row` checks it (the engine's
-- reader, which also leaves out a malformed policy of an older version): targets per known priority and
-- target, whole minutes from 1 to 525,600; conditions of known keys, ids as whole numbers, values as text;
-- a ladder of at most 20 steps, levels 1 to 20, known actions, minutes after the breach 0 to 525,600, and a
-- step that moves tickets names an existing queue the saver may move tickets into (`move_ticket()`'s rule).
-- Everything else as version 1, whose notes follow.
-- Adds (p_id NULL) or changes an SLA policy: an admin any policy, a team lead only a policy whose conditions
-- name queues they lead and nothing else (`queue_ids`), before and after the change, so a lead can neither
-- widen a policy to other teams' tickets nor take over one that applies to them. A change names the version
-- it was made on; if someone saved meanwhile it is refused, and the caller keeps what they typed. Moving a
-- lead's own policy in the match order only reorders it among tickets of their queues.
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
        IF EXISTS (SELECT FROM jsonb_each(p_targets) p
                   WHERE upper(btrim(p.key)) NOT IN ('LOW', 'NORMAL', 'HIGH', 'URGENT') OR jsonb_typeof(p.value) <> 'object')
           OR EXISTS (SELECT FROM jsonb_each(p_targets) p, jsonb_each(p.value) t
                      WHERE jsonb_typeof(p.value) = 'object'
                        AND (t.key NOT IN ('first_response', 'next_response', 'resolution')
                             OR jsonb_typeof(t.value) <> 'number'
                             OR (t.value::text ~ '^[0-9]{1,6}$' AND t.value::text::integer BETWEEN 1 AND 525600) IS NOT TRUE)) THEN
            RAISE EXCEPTION 'a policy''s targets are whole minutes from 1 to 525,600 per priority (low, normal, high, urgent) and target (first_response, next_response, resolution)'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT FROM jsonb_each(p_conditions) c
                   WHERE (c.key IN ('queue_ids', 'organisation_ids', 'priorities', 'types', 'channels', 'any_tags', 'tiers')
                          AND jsonb_typeof(c.value) = 'array'
                          AND NOT EXISTS (SELECT FROM jsonb_array_elements(c.value) v
                                          WHERE CASE WHEN c.key IN ('queue_ids', 'organisation_ids')
                                                     THEN (jsonb_typeof(v) = 'number' AND v::text ~ '^[0-9]{1,18}$')
                                                     WHEN c.key = 'priorities'
                                                     THEN (jsonb_typeof(v) = 'string' AND upper(btrim(v #>> '{}')) IN ('LOW', 'NORMAL', 'HIGH', 'URGENT'))
                                                     ELSE jsonb_typeof(v) = 'string' END IS NOT TRUE)
                          OR c.key LIKE 'account.%' AND length(c.key) > 8
                             AND (CASE jsonb_typeof(c.value) WHEN 'array' THEN c.value ELSE jsonb_build_array(c.value) END) <> '[]'
                             AND NOT EXISTS (SELECT FROM jsonb_array_elements(CASE jsonb_typeof(c.value) WHEN 'array' THEN c.value
                                                                                   ELSE jsonb_build_array(c.value) END) v
                                             WHERE (jsonb_typeof(v) = 'string' AND (v #>> '{}') ~ '[^ \t\n\r\f\v]'
                                                    OR jsonb_typeof(v) = 'number' AND v::text ~ '^-?[0-9]{1,18}$') IS NOT TRUE)
                         ) IS NOT TRUE) THEN
            RAISE EXCEPTION 'a policy''s conditions are lists: queue_ids and organisation_ids of ids, priorities, types, channels, any_tags and tiers of names; account.NAME a value or a list of values (text or whole numbers)'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF jsonb_array_length(p_ladder) > 20 OR EXISTS (
                SELECT FROM jsonb_array_elements(p_ladder) s
                WHERE (jsonb_typeof(s) = 'object'
                       AND jsonb_typeof(s -> 'level') = 'number' AND (s ->> 'level') ~ '^([1-9]|1[0-9]|20)$'
                       AND coalesce(jsonb_typeof(s -> 'after_breach_minutes'), 'number') = 'number'
                       AND coalesce(s ->> 'after_breach_minutes', '0') ~ '^[0-9]{1,6}$'
                       AND coalesce(s ->> 'after_breach_minutes', '0')::integer <= 525600
                       AND s ->> 'action' IN ('notify_assignee', 'notify_lead', 'move_to_queue', 'back_to_routing')
                       AND (s ->> 'action' <> 'move_to_queue'
                            OR jsonb_typeof(s -> 'queue_id') = 'number' AND (s ->> 'queue_id') ~ '^[0-9]{1,18}$')
                      ) IS NOT TRUE) THEN
            RAISE EXCEPTION 'a policy''s ladder is a list of at most 20 steps, each with a level from 1 to 20, an action (notify_assignee, notify_lead, move_to_queue with its queue_id, back_to_routing) and whole minutes after the breach from 0 to 525,600'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT FROM jsonb_array_elements(p_ladder) s, jsonb_object_keys(s) k
                   WHERE k NOT IN ('level', 'after_breach_minutes', 'action', 'queue_id'))
           OR EXISTS (SELECT FROM jsonb_object_keys(p_conditions) k
                      WHERE k NOT IN ('queue_ids', 'organisation_ids', 'priorities', 'types', 'channels', 'any_tags', 'tiers')
                        AND NOT (k LIKE 'account.%' AND length(k) > 8)) THEN
            RAISE EXCEPTION 'a policy''s conditions are queue_ids, organisation_ids, priorities, types, channels, any_tags, tiers and account.NAME, and a ladder step holds level, after_breach_minutes, action and queue_id: nothing else'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT FROM jsonb_array_elements(p_ladder) s
                   WHERE s ->> 'action' = 'move_to_queue'
                     AND (NOT EXISTS (SELECT FROM queue q WHERE q.id = (s ->> 'queue_id')::bigint)
                          OR NOT everyone AND ((s ->> 'queue_id')::bigint = ANY (visible_queue_ids())) IS NOT TRUE)) THEN
            RAISE EXCEPTION 'a step that moves tickets names a queue you may move tickets into'
                USING ERRCODE = 'insufficient_privilege';
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
