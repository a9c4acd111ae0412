-- announce_presence, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Presence: who is looking at which ticket, written only here, so nobody can speak for a colleague.
CREATE OR REPLACE FUNCTION {{schema}}.announce_presence(p_ticket bigint, p_state text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            BEGIN
                IF p_state IS NULL OR p_state NOT IN ('viewing', 'typing', 'left') THEN
                    RAISE EXCEPTION 'presence is viewing, typing or left' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF me IS NULL THEN RETURN; END IF;
                IF p_state = 'left' THEN
                    DELETE FROM ticket_presence WHERE agent_id = me AND ticket_id = p_ticket;
                ELSE
                    IF EXISTS (SELECT FROM ticket t WHERE t.id = p_ticket AND (t.queue_id = ANY (visible_queue_ids()) OR t.assignee_id = current_agent_id())) IS NOT TRUE THEN
                        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
                    END IF;
                    INSERT INTO ticket_presence (agent_id, ticket_id, state, seen_at)
                    VALUES (me, p_ticket, p_state, now())
                    ON CONFLICT (agent_id, ticket_id) DO UPDATE SET state = EXCLUDED.state, seen_at = now();
                END IF;
                DELETE FROM ticket_presence WHERE seen_at < now() - interval '2 minutes';
                PERFORM pg_notify('switchboard_presence', '');
            END $fn$
