-- claim_next_ticket, version 2, applied by migration 0015_performance_2. Released files never change (migrations/sql/README.md).
-- As version 1, with the caller's identity asked once: version 1 asked session_identity() three times
-- (require_role twice, visible_queue_ids once) before the audit trigger's fourth, a fifth of a claim's
-- time in the database (issue 12). The checks and their messages are require_role's, in its order: a
-- trusted session acting for nobody is no agent; a login without an active agent row (or a trusted
-- session acting for one) is refused by name; only agents, supervisors and admins claim. The claimed row
-- is returned by the UPDATE itself.
CREATE OR REPLACE FUNCTION {{schema}}.claim_next_ticket(p_queue bigint)
    RETURNS SETOF {{schema}}.ticket LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE who record := session_identity();
            picked bigint;
    BEGIN
        IF who.agent_id IS NULL THEN
            IF who.trusted AND coalesce(current_setting('switchboard.acting_login', true), '') = '' THEN
                RAISE EXCEPTION 'only an agent claims tickets' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RAISE EXCEPTION 'the login % is not an active Switchboard agent', who.login
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (who.agent_role = ANY (ARRAY['agent', 'supervisor', 'admin'])) IS NOT TRUE THEN
            RAISE EXCEPTION 'this needs the role %', 'agent or supervisor or admin'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (p_queue = ANY (who.visible_queue_ids)) IS NOT TRUE THEN
            RAISE EXCEPTION 'you do not work that queue' USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT t.id INTO picked FROM ticket t
        WHERE t.queue_id = p_queue AND t.assignee_id IS NULL AND t.merged_into_id IS NULL
          AND t.status IN ('new', 'in_progress', 'waiting', 'pending', 'answered')
          AND t.status = ANY (ARRAY(SELECT s.key FROM ticket_status s WHERE s.category = 'open'))
        ORDER BY t.sla_due_at, t.id
        LIMIT 1 FOR UPDATE OF t SKIP LOCKED;
        IF picked IS NULL THEN
            RETURN;
        END IF;
        PERFORM set_config('switchboard.action', 'assign', true);
        RETURN QUERY UPDATE ticket SET assignee_id = who.agent_id, version = version + 1, updated_at = now()
                     WHERE id = picked RETURNING *;
    END $fn$
