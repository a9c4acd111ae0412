-- works_queue, version 3, applied by migration 0046_probe_fixes_3. Released files never change (migrations/sql/README.md).
-- Version 2 counted a queue's team lead as working it whatever the lead's role: a lead made an agent again
-- (who leads nothing, by led_queue_ids()) still held the queue's tickets. A lead works the queue while a
-- supervisor or an admin. Everything else as version 2, whose notes follow.
-- (v2) Version 2 answers only active staff and trusted sessions (false for anyone else): a login without an
-- active agent row learnt from it who works which queue.
-- Who may hold a ticket of a queue: its members, its team lead, and admins.
CREATE OR REPLACE FUNCTION {{schema}}.works_queue(p_agent bigint, p_queue bigint)
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT (is_active_agent() OR is_trusted_session()) AND EXISTS (SELECT FROM agent a WHERE a.id = p_agent AND a.is_active
                           AND (a.role = 'admin'
                                OR EXISTS (SELECT FROM queue_member m WHERE m.agent_id = a.id AND m.queue_id = p_queue)
                                OR a.role = 'supervisor'
                                   AND EXISTS (SELECT FROM queue q WHERE q.id = p_queue AND q.team_lead_id = a.id))) $fn$
