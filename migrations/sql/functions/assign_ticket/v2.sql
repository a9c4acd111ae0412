-- assign_ticket, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.assign_ticket(p_ticket bigint, p_assignee bigint, p_expected_version integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
            BEGIN
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
