-- set_agent_routing, version 1, applied by migration 0010_routing. Released files never change (migrations/sql/README.md).
-- An agent's routing facts: capacity, languages, skills (name -> level 1 to 5), out of office and a
-- substitute. A supervisor sets them for agents of the queues they lead, an admin for anyone; NULL keeps
-- a fact as it is.
CREATE OR REPLACE FUNCTION {{schema}}.set_agent_routing(
    p_agent bigint, p_capacity integer, p_languages text[], p_skills jsonb, p_out_of_office_until date,
    p_substitute bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['supervisor', 'admin']);
    BEGIN
        IF me IS NOT NULL AND NOT is_admin() AND NOT EXISTS (
            SELECT FROM queue_member m WHERE m.agent_id = p_agent AND m.queue_id = ANY (led_queue_ids())) THEN
            RAISE EXCEPTION 'only the lead of one of the agent''s queues changes their routing'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT FROM agent WHERE id = p_agent) THEN
            RAISE EXCEPTION 'no agent %', p_agent USING ERRCODE = 'no_data_found';
        END IF;
        IF p_capacity IS NOT NULL AND p_capacity NOT BETWEEN 0 AND 500 THEN
            RAISE EXCEPTION 'capacity is 0 to 500 tickets' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE agent SET capacity = coalesce(p_capacity, capacity), languages = coalesce(p_languages, languages),
                         out_of_office_until = CASE WHEN p_out_of_office_until = '-infinity' THEN NULL
                                                    ELSE coalesce(p_out_of_office_until, out_of_office_until) END,
                         substitute_id = coalesce(p_substitute, substitute_id)
        WHERE id = p_agent;
        IF p_skills IS NOT NULL THEN
            DELETE FROM agent_skill WHERE agent_id = p_agent;
            INSERT INTO agent_skill (agent_id, skill, level)
            SELECT p_agent, lower(key), value::integer FROM jsonb_each_text(p_skills);
        END IF;
    END $fn$
