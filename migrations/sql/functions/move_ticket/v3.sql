-- move_ticket, version 3, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- Version 2 changed a merged ticket: its UPDATE runs as the owner, whom the guard's "never a merged ticket" does
-- not stop (a probe escalated, assigned and moved merged tickets through psql). Refused now with SQLSTATE SB003
-- ("not in a state for this"), as route_ticket() refuses it. Everything else as version 2, whose notes follow.
CREATE OR REPLACE FUNCTION {{schema}}.move_ticket(p_ticket bigint, p_queue bigint, p_expected_version integer)
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
                IF (p_queue = ANY (visible_queue_ids())) IS NOT TRUE THEN
                    RAISE EXCEPTION 'you may not move tickets into that queue' USING ERRCODE = 'insufficient_privilege';
                END IF;
                PERFORM set_config('switchboard.action', 'move', true);
                UPDATE ticket SET queue_id = p_queue, version = version + 1, updated_at = now(),
                                  assignee_id = CASE WHEN works_queue(assignee_id, p_queue) THEN assignee_id END
                WHERE id = p_ticket;
            END $fn$
