-- kb_set_editor, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- Admins make an agent a knowledge base editor, or take it back. Returns whether the agent now is one.
CREATE OR REPLACE FUNCTION {{schema}}.kb_set_editor(p_agent_id bigint, p_is_editor boolean)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE me bigint := require_role(ARRAY['admin']);
BEGIN
    IF NOT EXISTS (SELECT FROM agent a WHERE a.id = p_agent_id AND a.is_active) THEN
        RAISE EXCEPTION 'no active agent %', p_agent_id USING ERRCODE = 'no_data_found';
    END IF;
    IF p_is_editor IS TRUE THEN
        INSERT INTO knowledge_editor (agent_id, granted_by_id) VALUES (p_agent_id, me)
        ON CONFLICT (agent_id) DO NOTHING;
    ELSE
        DELETE FROM knowledge_editor e WHERE e.agent_id = p_agent_id;
    END IF;
    RETURN p_is_editor IS TRUE;
END $fn$
