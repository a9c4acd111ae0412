-- guard_message, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- A message as a login's own INSERT: written now, by its author — a reply or note by oneself, a
-- customer message by the ticket's customer — never a system event, never into a merged ticket.
CREATE OR REPLACE FUNCTION {{schema}}.guard_message()
    RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE t ticket%ROWTYPE;
            BEGIN
                IF is_privileged_writer() THEN RETURN NEW; END IF;
                SELECT * INTO t FROM ticket WHERE id = NEW.ticket_id;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no ticket with id % for you', NEW.ticket_id USING ERRCODE = 'no_data_found';
                END IF;
                IF t.merged_into_id IS NOT NULL THEN
                    RAISE EXCEPTION 'ticket #% was merged; write on the ticket it was merged into', t.number
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.kind = 'customer_message' THEN
                    IF NEW.author_customer_id IS DISTINCT FROM t.customer_id THEN
                        RAISE EXCEPTION 'a customer message is written by the ticket''s customer'
                            USING ERRCODE = 'check_violation';
                    END IF;
                ELSIF NEW.kind IN ('public_reply', 'internal_note') THEN
                    IF NEW.author_agent_id IS DISTINCT FROM current_agent_id() THEN
                        RAISE EXCEPTION 'agents write their own messages' USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSE
                    RAISE EXCEPTION 'only Switchboard itself writes % messages', NEW.kind
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                NEW.created_at := now();
                RETURN NEW;
            END $fn$
