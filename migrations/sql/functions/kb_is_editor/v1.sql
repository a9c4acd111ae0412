-- kb_is_editor, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- Who may write and publish articles: supervisors and admins, and the agents an admin made editors
-- (knowledge_editor). A trusted session acting for nobody (migrations, the demo loader) counts as an admin,
-- as everywhere; a disabled user or a login without an agent is nobody's editor.
CREATE OR REPLACE FUNCTION {{schema}}.kb_is_editor()
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT coalesce(s.agent_role IN ('supervisor', 'admin')
                    OR EXISTS (SELECT FROM knowledge_editor e WHERE e.agent_id = s.agent_id), false)
           AND (s.agent_id IS NOT NULL OR s.trusted)
    FROM session_identity() s
$fn$
