-- claim_next_ticket, version 1, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- "Get next": the unassigned open ticket of the queue that is due soonest (then the oldest without a
-- clock), locked with SKIP LOCKED so concurrent claimers each get a different ticket without waiting,
-- assigned to the caller and returned; no row when nothing is claimable. The literal status list is the
-- predicate of the partial index ix_ticket_claimable (the planner proves it only from constants); the
-- category check keeps it to open tickets (not waiting on someone).
CREATE OR REPLACE FUNCTION {{schema}}.claim_next_ticket(p_queue bigint)
    RETURNS SETOF {{schema}}.ticket LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            picked bigint;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'only an agent claims tickets' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (p_queue = ANY (visible_queue_ids())) IS NOT TRUE THEN
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
        UPDATE ticket SET assignee_id = me, version = version + 1, updated_at = now() WHERE id = picked;
        RETURN QUERY SELECT * FROM ticket WHERE id = picked;
    END $fn$
