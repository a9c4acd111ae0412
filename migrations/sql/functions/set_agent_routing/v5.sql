-- set_agent_routing, version 5, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 5: capacity, skill levels and a shift's minutes are written as whole numbers (`is_whole_number()`): a capacity of 2.0 failed on its own `::integer` with a message of the cast, and a shift of 540.0 was stored as such. Everything else as version 4, whose notes follow.
-- Version 3 let a team lead change the facts of anyone in a queue they lead, an admin or another lead
-- included: capacity, time zone and skills are the person's, not the queue's, and reach their other queues
-- (a probe set an admin's capacity to 0 and moved her time zone). Version 4: a supervisor changes an
-- agent's facts, and their own; a lead's or an admin's only an admin changes. Skills are written only where
-- they change (each write is audited since 0046), and at most 100 of them (50,000 wrote as many audit rows).
-- Everything else as version 3, whose notes follow.
-- (v3) Version 3 keeps out of office within ten years from today: 9999-12-31 overflowed the routing dry-run's
-- date arithmetic, so one agent stopped their leads' previews.
-- An agent's routing facts, given as a JSON object of the facts to change (a fact left out stays as it
-- is): capacity (0 to 500), languages, skills (name -> level 1 to 5, replacing the old ones), time_zone
-- (a name PostgreSQL knows), shift (null, or weekday "0" = Monday … "6" -> [[start, end], …] minutes
-- of local time, ordered and not overlapping), out_of_office_until (a date, or null: back), substitute
-- (an active agent sharing one of the agent's queues, not the agent; null: none) and queues (the
-- agent's memberships among the queues the caller leads become exactly these).
-- Who: an admin for anyone; a supervisor for an agent of a queue they lead (queues only among those);
-- every active agent for their own out of office and substitute, and nothing else of theirs.
-- Version 2 replaces version 1's positional arguments (which could not clear a substitute, set a shift
-- or a time zone, or change memberships) and checks the substitute.
CREATE OR REPLACE FUNCTION {{schema}}.set_agent_routing(p_agent bigint, p_facts jsonb)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            known text[] := ARRAY['capacity', 'languages', 'skills', 'time_zone', 'shift', 'out_of_office_until',
                                  'substitute', 'queues'];
            own text[] := ARRAY['out_of_office_until', 'substitute'];
            given text[];
            led bigint[];
            wanted bigint[];
            day record;
            span jsonb;
            previous_end integer;
            substitute bigint;
    BEGIN
        IF p_facts IS NULL OR jsonb_typeof(p_facts) <> 'object' THEN
            RAISE EXCEPTION 'the facts are a JSON object' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        given := ARRAY(SELECT jsonb_object_keys(p_facts));
        IF NOT (given <@ known) THEN
            RAISE EXCEPTION 'unknown routing facts: %', array_to_string(ARRAY(SELECT unnest(given) EXCEPT SELECT unnest(known)), ', ')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        led := CASE WHEN me IS NULL THEN ARRAY(SELECT id FROM queue) ELSE led_queue_ids() END;
        IF me IS NOT NULL AND (is_admin() IS NOT TRUE) THEN
            IF (p_agent = me AND given <@ own) IS TRUE THEN
                NULL;  -- one's own out of office and substitute
            ELSIF NOT EXISTS (SELECT FROM queue_member m WHERE m.agent_id = p_agent AND m.queue_id = ANY (led)) THEN
                RAISE EXCEPTION 'only the lead of one of the agent''s queues changes their routing'
                    USING ERRCODE = 'insufficient_privilege';
            ELSIF p_agent <> me AND EXISTS (SELECT FROM agent x WHERE x.id = p_agent AND x.role <> 'agent') THEN
                RAISE EXCEPTION 'only an admin changes the routing of a team lead or an admin'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        PERFORM FROM agent WHERE id = p_agent AND is_active FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no active agent %', p_agent USING ERRCODE = 'no_data_found';
        END IF;

        IF p_facts ? 'capacity' THEN
            IF NOT is_whole_number(p_facts -> 'capacity', 0, 500) THEN
                RAISE EXCEPTION 'capacity is a whole number of tickets, 0 to 500' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            UPDATE agent SET capacity = (p_facts ->> 'capacity')::integer WHERE id = p_agent;
        END IF;
        IF p_facts ? 'languages' THEN
            IF jsonb_typeof(p_facts -> 'languages') IS DISTINCT FROM 'array' OR EXISTS (
                SELECT FROM jsonb_array_elements(p_facts -> 'languages') l
                WHERE jsonb_typeof(l) <> 'string' OR (l #>> '{}') !~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$') THEN
                RAISE EXCEPTION 'languages are codes such as "de" or "pt-BR"' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            UPDATE agent SET languages = ARRAY(SELECT DISTINCT l FROM jsonb_array_elements_text(p_facts -> 'languages') l ORDER BY l)
            WHERE id = p_agent;
        END IF;
        IF p_facts ? 'skills' THEN
            IF (SELECT count(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(p_facts -> 'skills') = 'object'
                                                        THEN p_facts -> 'skills' END)) > 100 THEN
                RAISE EXCEPTION 'an agent has at most 100 skills' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF jsonb_typeof(p_facts -> 'skills') IS DISTINCT FROM 'object' OR EXISTS (
                SELECT FROM jsonb_each(p_facts -> 'skills') s
                WHERE s.key !~ '^[A-Za-z0-9_.-]{1,64}$' OR NOT is_whole_number(s.value, 1, 5)) THEN
                RAISE EXCEPTION 'skills are names with a level of 1 to 5' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            -- Only what changes: the configuration's audit (0046) keeps a row per skill written.
            DELETE FROM agent_skill WHERE agent_id = p_agent
               AND skill NOT IN (SELECT lower(key) FROM jsonb_object_keys(p_facts -> 'skills') AS key);
            INSERT INTO agent_skill (agent_id, skill, level)
            SELECT p_agent, lower(key), max(value::integer) FROM jsonb_each_text(p_facts -> 'skills') GROUP BY lower(key)
            ON CONFLICT (agent_id, skill) DO UPDATE SET level = excluded.level
            WHERE agent_skill.level IS DISTINCT FROM excluded.level;
        END IF;
        IF p_facts ? 'time_zone' THEN
            IF jsonb_typeof(p_facts -> 'time_zone') IS DISTINCT FROM 'string'
               OR NOT EXISTS (SELECT FROM pg_timezone_names z WHERE z.name = p_facts ->> 'time_zone') THEN
                RAISE EXCEPTION 'unknown time zone %', p_facts -> 'time_zone' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            UPDATE agent SET time_zone = p_facts ->> 'time_zone' WHERE id = p_agent;
        END IF;
        IF p_facts ? 'shift' THEN
            IF jsonb_typeof(p_facts -> 'shift') = 'object' THEN
                FOR day IN SELECT key, value FROM jsonb_each(p_facts -> 'shift') LOOP
                    IF day.key !~ '^[0-6]$' OR jsonb_typeof(day.value) <> 'array' THEN
                        RAISE EXCEPTION 'a shift gives weekdays "0" (Monday) to "6" each a list of [start, end] minutes'
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    previous_end := -1;
                    FOR span IN SELECT s FROM jsonb_array_elements(day.value) s
                                ORDER BY CASE WHEN jsonb_typeof(s -> 0) = 'number' THEN (s ->> 0)::numeric END LOOP
                        IF jsonb_typeof(span) <> 'array' OR jsonb_array_length(span) <> 2
                           OR NOT is_whole_number(span -> 0, 0, 1440) OR NOT is_whole_number(span -> 1, 0, 1440)
                           OR ((span ->> 0)::numeric < (span ->> 1)::numeric
                               AND (span ->> 1)::numeric <= 1440 AND (span ->> 0)::numeric >= previous_end) IS NOT TRUE THEN
                            RAISE EXCEPTION 'the shift of weekday % overlaps or leaves the day (minutes 0 to 1440)', day.key
                                USING ERRCODE = 'invalid_parameter_value';
                        END IF;
                        previous_end := (span ->> 1)::integer;
                    END LOOP;
                END LOOP;
                UPDATE agent SET shift = p_facts -> 'shift' WHERE id = p_agent;
            ELSIF jsonb_typeof(p_facts -> 'shift') = 'null' THEN
                UPDATE agent SET shift = NULL WHERE id = p_agent;
            ELSE
                RAISE EXCEPTION 'a shift is a JSON object, or null for none' USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END IF;
        IF p_facts ? 'queues' THEN
            IF jsonb_typeof(p_facts -> 'queues') IS DISTINCT FROM 'array' OR EXISTS (
                SELECT FROM jsonb_array_elements(p_facts -> 'queues') q WHERE jsonb_typeof(q) <> 'number') THEN
                RAISE EXCEPTION 'queues are a list of queue ids' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            wanted := ARRAY(SELECT (q #>> '{}')::bigint FROM jsonb_array_elements(p_facts -> 'queues') q);
            IF (wanted <@ led) IS NOT TRUE THEN
                RAISE EXCEPTION 'only the queues you lead' USING ERRCODE = 'insufficient_privilege';
            END IF;
            DELETE FROM queue_member WHERE agent_id = p_agent AND queue_id = ANY (led) AND NOT queue_id = ANY (wanted);
            INSERT INTO queue_member (queue_id, agent_id) SELECT DISTINCT unnest(wanted), p_agent ON CONFLICT DO NOTHING;
        END IF;
        IF p_facts ? 'out_of_office_until' THEN
            IF jsonb_typeof(p_facts -> 'out_of_office_until') = 'null' THEN
                UPDATE agent SET out_of_office_until = NULL WHERE id = p_agent;
            ELSIF jsonb_typeof(p_facts -> 'out_of_office_until') = 'string'
                  AND (p_facts ->> 'out_of_office_until') ~ '^\d{4}-\d{2}-\d{2}$'
                  AND (p_facts ->> 'out_of_office_until') BETWEEN '2000-01-01' AND to_char(current_date + 3660, 'YYYY-MM-DD') THEN
                UPDATE agent SET out_of_office_until = (p_facts ->> 'out_of_office_until')::date WHERE id = p_agent;
            ELSE
                RAISE EXCEPTION 'out of office until a date (YYYY-MM-DD) within ten years, or null' USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END IF;
        IF p_facts ? 'substitute' THEN
            IF jsonb_typeof(p_facts -> 'substitute') = 'null' THEN
                substitute := NULL;
            ELSIF jsonb_typeof(p_facts -> 'substitute') = 'number' THEN
                substitute := (p_facts ->> 'substitute')::bigint;
                IF substitute = p_agent OR NOT EXISTS (
                    SELECT FROM agent s JOIN queue_member sm ON sm.agent_id = s.id
                    JOIN queue_member am ON am.queue_id = sm.queue_id AND am.agent_id = p_agent
                    WHERE s.id = substitute AND s.is_active) THEN
                    RAISE EXCEPTION 'a substitute is another active agent of one of the agent''s queues'
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
            ELSE
                RAISE EXCEPTION 'a substitute is an agent id, or null' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            UPDATE agent SET substitute_id = substitute WHERE id = p_agent;
        END IF;
    END $fn$
