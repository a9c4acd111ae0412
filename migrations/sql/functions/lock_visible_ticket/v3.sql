-- lock_visible_ticket, version 3, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
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
        me bigint := current_agent_id();
BEGIN
    SELECT * INTO t FROM ticket WHERE id = p_ticket;
    IF FOUND AND (t.queue_id = ANY (queues) OR t.assignee_id = me) IS TRUE THEN
        SELECT * INTO t FROM ticket WHERE id = p_ticket FOR UPDATE;
    END IF;
    IF t.id IS NULL OR (t.queue_id = ANY (queues) OR t.assignee_id = me) IS NOT TRUE THEN
        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM check_version(t.version, p_expected_version, t.number);
    RETURN t;
END $fn$
