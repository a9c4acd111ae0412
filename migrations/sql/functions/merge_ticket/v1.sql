-- merge_ticket, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Merging folds a duplicate into another ticket the caller also sees: its messages move, it closes
-- and points at the target, and the target gets a system note. Both rows are locked in id order.
CREATE OR REPLACE FUNCTION {{schema}}.merge_ticket(p_source bigint, p_target bigint, p_expected_version integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    first_row ticket; second_row ticket; source ticket; target ticket;
                    actor text;
            BEGIN
                IF p_source = p_target THEN
                    RAISE EXCEPTION 'a ticket cannot be merged into itself' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                first_row := lock_visible_ticket(least(p_source, p_target), NULL);
                second_row := lock_visible_ticket(greatest(p_source, p_target), NULL);
                source := CASE WHEN first_row.id = p_source THEN first_row ELSE second_row END;
                target := CASE WHEN first_row.id = p_target THEN first_row ELSE second_row END;
                PERFORM check_version(source.version, p_expected_version, source.number);
                IF source.merged_into_id IS NOT NULL OR target.merged_into_id IS NOT NULL THEN
                    RAISE EXCEPTION 'ticket #% was already merged into another ticket',
                        CASE WHEN source.merged_into_id IS NOT NULL THEN source.number ELSE target.number END
                        USING ERRCODE = 'check_violation';
                END IF;
                SELECT display_name INTO actor FROM agent WHERE id = me;
                PERFORM set_config('switchboard.action', 'merge', true);
                UPDATE ticket SET version = version + 1, updated_at = now() WHERE id IN (p_source, p_target);
                UPDATE message SET ticket_id = p_target WHERE ticket_id = p_source;
                UPDATE ticket SET status = 'closed', merged_into_id = p_target WHERE id = p_source;
                INSERT INTO message (ticket_id, kind, author_agent_id, body_text)
                VALUES (p_target, 'system_event', me, format('Ticket #%s was merged into this ticket by %s.',
                                                             source.number, coalesce(actor, current_login())));
            END $fn$
