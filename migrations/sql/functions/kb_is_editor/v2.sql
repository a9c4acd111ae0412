-- kb_is_editor, version 2, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- Version 1's answer from session_who(): it needs the agent and their role, not the queues they see.
CREATE OR REPLACE FUNCTION {{schema}}.kb_is_editor()
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT coalesce(s.agent_role IN ('supervisor', 'admin')
                    OR EXISTS (SELECT FROM knowledge_editor e WHERE e.agent_id = s.agent_id), false)
           AND (s.agent_id IS NOT NULL OR s.trusted)
    FROM session_who() s
$fn$
