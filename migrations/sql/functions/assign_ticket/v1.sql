-- assign_ticket, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- Assigning: an agent may take a ticket they can see or give it back; assigning someone else
-- needs a supervisor of the ticket's queue, or an admin. The assignee must work that queue.
CREATE OR REPLACE FUNCTION {{schema}}.assign_ticket(p_ticket bigint, p_assignee bigint, p_expected_version integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
            BEGIN
                -- Taking an unassigned ticket, or giving back one's own, is every agent's right; anything
                -- else (taking a colleague's ticket included) is for a supervisor of the queue or an admin.
                IF NOT ((t.assignee_id IS NULL AND p_assignee = me)
                        OR (t.assignee_id = me AND (p_assignee IS NULL OR p_assignee = me)))
                   AND NOT (is_admin() OR (current_agent_role() = 'supervisor'
                                           AND t.queue_id = ANY (visible_queue_ids()))) THEN
                    RAISE EXCEPTION 'only a supervisor of the queue or an admin assigns tickets to others'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF p_assignee IS NOT NULL AND NOT EXISTS (SELECT FROM agent WHERE id = p_assignee AND is_active) THEN
                    RAISE EXCEPTION 'no active agent with id %', p_assignee USING ERRCODE = 'no_data_found';
                END IF;
                PERFORM set_config('switchboard.action', 'assign', true);
                UPDATE ticket SET assignee_id = p_assignee, version = version + 1, updated_at = now()
                WHERE id = p_ticket;
            END $fn$
