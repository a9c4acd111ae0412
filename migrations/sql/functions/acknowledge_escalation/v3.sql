-- acknowledge_escalation, version 3, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 3: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 2, whose notes follow.
-- Version 2 refuses a ticket with nothing to acknowledge: no step taken and no running SLA clock (closed,
-- merged, or without a due time); version 1 recorded "acknowledged before any escalation step" on a closed
-- ticket. A ticket about to breach (a running clock, no step yet) is acknowledged as before, at level -1.
-- A team lead of the ticket's queue (or an admin) acknowledges its escalation as it stands: the highest
-- step the sweep has taken (-1: none yet). Idempotent: acknowledging again at the same level changes
-- nothing and returns false; a higher step taken since asks for a new acknowledgement (the row moves up).
-- A ticket the caller cannot see is "not found"; one they see but do not lead is refused. Each recorded
-- acknowledgement is audited in the ticket's history (`acknowledge`, field `escalation`, the level) and
-- noted in the change log, so every open supervisor view reads the board again.
CREATE OR REPLACE FUNCTION {{schema}}.acknowledge_escalation(p_ticket bigint)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := require_role(ARRAY['supervisor', 'admin']);
    v_queue bigint;
    v_version integer;
    v_level smallint;
    v_done boolean;
    v_number bigint;
    v_running boolean;
BEGIN
    SELECT t.queue_id, t.version, t.number,
           t.merged_into_id IS NULL AND t.sla_due_at IS NOT NULL
           AND EXISTS (SELECT FROM ticket_status s WHERE s.key = t.status AND s.category <> 'done')
      INTO v_queue, v_version, v_number, v_running FROM ticket t
    WHERE t.id = p_ticket AND (me IS NULL OR t.queue_id = ANY (visible_queue_ids()));
    IF v_queue IS NULL THEN
        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
    END IF;
    IF (me IS NULL OR v_queue = ANY (led_queue_ids())) IS NOT TRUE THEN
        RAISE EXCEPTION 'only a team lead of the ticket''s queue or an admin acknowledges its escalation'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT coalesce(max(s.level), -1) INTO v_level FROM sla_step s WHERE s.ticket_id = p_ticket;
    IF v_level < 0 AND NOT v_running THEN
        RAISE EXCEPTION 'ticket #% has no escalation to acknowledge: no step was taken and no SLA clock runs', v_number
            USING ERRCODE = 'SB003';
    END IF;
    INSERT INTO escalation_ack AS a (ticket_id, level, acknowledged_by, acknowledged_at)
    VALUES (p_ticket, v_level, me, now())
    ON CONFLICT (ticket_id) DO UPDATE
        SET level = excluded.level, acknowledged_by = excluded.acknowledged_by,
            acknowledged_at = excluded.acknowledged_at
        WHERE a.level < excluded.level
    RETURNING true INTO v_done;
    IF v_done IS NOT TRUE THEN
        RETURN false;
    END IF;
    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id, ticket_version,
                             action, field, old_value, new_value)
    SELECT who.agent_id, who.login, 'ticket', p_ticket, p_ticket, v_version, 'acknowledge', 'escalation',
           NULL, to_jsonb(v_level)
    FROM session_identity() who;
    INSERT INTO change_log (entity, entity_id, ticket_id, operation) VALUES ('ticket', p_ticket, p_ticket, 'update');
    PERFORM pg_notify('switchboard_changes', '');
    RETURN true;
END $fn$
