-- set_queue_members, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.set_queue_members(p_queue bigint, p_agents bigint[])
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                DELETE FROM queue_member WHERE queue_id = p_queue AND NOT agent_id = ANY (p_agents);
                INSERT INTO queue_member (queue_id, agent_id) SELECT p_queue, unnest(p_agents)
                ON CONFLICT DO NOTHING;
            END $fn$
