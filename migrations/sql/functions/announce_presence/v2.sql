-- announce_presence, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 1, whose notes follow.
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
                    IF EXISTS (SELECT FROM ticket t WHERE t.id = p_ticket AND (t.queue_id = ANY (visible_queue_ids()))) IS NOT TRUE THEN
                        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
                    END IF;
                    INSERT INTO ticket_presence (agent_id, ticket_id, state, seen_at)
                    VALUES (me, p_ticket, p_state, now())
                    ON CONFLICT (agent_id, ticket_id) DO UPDATE SET state = EXCLUDED.state, seen_at = now();
                END IF;
                DELETE FROM ticket_presence WHERE seen_at < now() - interval '2 minutes';
                PERFORM pg_notify('switchboard_presence', '');
            END $fn$
