-- assign_ticket, version 3, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- Version 2 changed a merged ticket: its UPDATE runs as the owner, whom the guard's "never a merged ticket" does
-- not stop (a probe escalated, assigned and moved merged tickets through psql). Refused now with SQLSTATE SB003
-- ("not in a state for this"), as route_ticket() refuses it. Everything else as version 2, whose notes follow.
CREATE OR REPLACE FUNCTION {{schema}}.assign_ticket(p_ticket bigint, p_assignee bigint, p_expected_version integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
            BEGIN
                IF t.merged_into_id IS NOT NULL THEN
                    RAISE EXCEPTION 'ticket #% was merged; work on the ticket it was merged into', t.number
                        USING ERRCODE = 'SB003';
                END IF;
                -- Taking an unassigned ticket of one's own queue, or giving back one's own, is every agent's
                -- right; anything else is for a supervisor who leads the queue, or an admin.
                IF ((t.assignee_id IS NULL AND p_assignee = me AND t.queue_id = ANY (visible_queue_ids()))
                    OR (t.assignee_id = me AND (p_assignee IS NULL OR p_assignee = me))
                    OR t.queue_id = ANY (led_queue_ids())) IS NOT TRUE THEN
                    RAISE EXCEPTION 'only a supervisor who leads the queue, or an admin, assigns tickets to others'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF p_assignee IS NOT NULL AND works_queue(p_assignee, t.queue_id) IS NOT TRUE THEN
                    RAISE EXCEPTION 'that agent does not work this ticket''s queue'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                PERFORM set_config('switchboard.action', 'assign', true);
                UPDATE ticket SET assignee_id = p_assignee, version = version + 1, updated_at = now()
                WHERE id = p_ticket;
            END $fn$
