-- lock_visible_ticket, version 4, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 4: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 3, whose notes follow.
-- Version 2 locked the ticket before it asked whether the caller may see it: with a colleague's transaction
-- holding a ticket of another queue, an agent's assign_ticket(), move_ticket() or route_ticket() of it
-- waited and then said "canceling statement due to lock timeout", where an id of no ticket said "no ticket
-- with id … for you" at once: an agent learnt that an invisible ticket exists and is being changed, and
-- queued behind colleagues' locks. Now the row is read without a lock, checked, then locked and checked
-- again (it may have moved to another queue meanwhile), as store_sla_due() and acknowledge_escalation() do.
-- The common start of every privileged ticket change. NULL never passes a check here.
CREATE OR REPLACE FUNCTION {{schema}}.lock_visible_ticket(p_ticket bigint, p_expected_version integer)
    RETURNS {{schema}}.ticket LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE t ticket%ROWTYPE;
        queues bigint[] := visible_queue_ids();
BEGIN
    SELECT * INTO t FROM ticket WHERE id = p_ticket;
    IF FOUND AND (t.queue_id = ANY (queues)) IS TRUE THEN
        SELECT * INTO t FROM ticket WHERE id = p_ticket FOR UPDATE;
    END IF;
    IF t.id IS NULL OR (t.queue_id = ANY (queues)) IS NOT TRUE THEN
        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM check_version(t.version, p_expected_version, t.number);
    RETURN t;
END $fn$
