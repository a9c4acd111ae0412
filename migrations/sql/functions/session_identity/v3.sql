-- session_identity, version 3, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- The same answer as version 2: who is acting from session_who(), then the queues they see and lead (an
-- admin: every queue; a supervisor: their members' queues and those they lead; an agent: their members'
-- queues; nobody: none). Only visible_queue_ids() and led_queue_ids() need the arrays; every other helper
-- now asks session_who() alone.
CREATE OR REPLACE FUNCTION {{schema}}.session_identity(
    OUT login name, OUT agent_id bigint, OUT agent_role text, OUT trusted boolean,
    OUT visible_queue_ids bigint[], OUT led_queue_ids bigint[])
    RETURNS record LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    who record := session_who();
BEGIN
    login := who.login;
    agent_id := who.agent_id;
    agent_role := who.agent_role;
    trusted := who.trusted;
    IF who.agent_role = 'admin' THEN
        visible_queue_ids := ARRAY(SELECT q.id FROM queue q);
        led_queue_ids := visible_queue_ids;
    ELSIF who.agent_id IS NULL THEN
        visible_queue_ids := '{}';
        led_queue_ids := '{}';
    ELSE
        visible_queue_ids := ARRAY(SELECT m.queue_id FROM queue_member m WHERE m.agent_id = who.agent_id
                                   UNION SELECT q.id FROM queue q
                                         WHERE q.team_lead_id = who.agent_id AND who.agent_role = 'supervisor');
        led_queue_ids := CASE WHEN who.agent_role = 'supervisor'
                              THEN ARRAY(SELECT q.id FROM queue q WHERE q.team_lead_id = who.agent_id)
                              ELSE '{}' END;
    END IF;
END $fn$
