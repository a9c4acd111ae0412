-- guard_ticket, version 4, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 4: a resolved or closed ticket reopened goes back to its queue unassigned when its assignee no
-- longer works the queue (left it, or was disabled, after it was closed): it came back "in progress" with
-- someone who could not see it, and "get next" skipped it. Everything else as version 3, whose notes follow.
-- Version 3: the first write of a ticket in a transaction raises its version, whatever the login sent (every
-- write sets updated_at to the transaction's time, so a row whose updated_at is not now() is written for the
-- first time here). A client that skipped the version left colleagues' copies unwarned and the audit row
-- under the old version, where "changed since version N" never found it. Later writes of the same
-- transaction keep the version it has (the client raises it once, then writes the fields: one version a
-- change), and a ticket the transaction created keeps version 1.
-- A ticket as a login's own INSERT may create it: new, version 1, now, numbered by the sequence,
-- no SLA or response times of its own, assigned to nobody, to oneself, or (a queue lead, an admin)
-- to someone who works the queue. The acting agent is looked up only where a check needs it (v1 looked
-- it up for every row of every write).
CREATE OR REPLACE FUNCTION {{schema}}.guard_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                IF is_privileged_writer() THEN RETURN NEW; END IF;
                IF TG_OP = 'INSERT' THEN
                    BEGIN
                        IF NEW.number IS DISTINCT FROM currval('ticket_number_seq') THEN
                            NEW.number := nextval('ticket_number_seq');
                        END IF;
                    EXCEPTION WHEN object_not_in_prerequisite_state THEN
                        NEW.number := nextval('ticket_number_seq');
                    END;
                    IF NEW.status IS DISTINCT FROM 'new' THEN
                        RAISE EXCEPTION 'a new ticket starts in status new' USING ERRCODE = 'check_violation';
                    END IF;
                    IF NEW.assignee_id IS NOT NULL AND ((NEW.assignee_id = current_agent_id() OR NEW.queue_id = ANY (led_queue_ids()))
                                                        AND works_queue(NEW.assignee_id, NEW.queue_id)) IS NOT TRUE THEN
                        RAISE EXCEPTION 'only a supervisor who leads the queue, or an admin, assigns tickets to others'
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    NEW.version := 1;
                    NEW.created_at := now();
                    NEW.updated_at := now();
                    NEW.merged_into_id := NULL;
                    NEW.first_response_at := NULL;
                    NEW.resolved_at := NULL;
                    NEW.closed_at := NULL;
                    NEW.first_response_due_at := NULL;
                    NEW.next_response_due_at := NULL;
                    NEW.resolution_due_at := NULL;
                    RETURN NEW;
                END IF;
                -- UPDATE: what the grants let through, within the rules.
                IF NEW.version IS DISTINCT FROM OLD.version AND NEW.version IS DISTINCT FROM OLD.version + 1 THEN
                    RAISE EXCEPTION 'a ticket''s version only goes up by one' USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.version = OLD.version AND OLD.updated_at IS DISTINCT FROM now() THEN
                    NEW.version := OLD.version + 1;  -- the first write of this ticket in this transaction
                END IF;
                IF NEW.status IS DISTINCT FROM OLD.status
                   AND NOT EXISTS (SELECT FROM status_transition
                                   WHERE from_status = OLD.status AND to_status = NEW.status) THEN
                    RAISE EXCEPTION 'a ticket cannot move from % to %', OLD.status, NEW.status
                        USING ERRCODE = 'check_violation';
                END IF;
                IF OLD.merged_into_id IS NOT NULL THEN
                    RAISE EXCEPTION 'ticket #% was merged; work on the ticket it was merged into', OLD.number
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.status IS DISTINCT FROM OLD.status AND NEW.assignee_id IS NOT NULL
                   AND EXISTS (SELECT FROM ticket_status s WHERE s.key = OLD.status AND s.category = 'done')
                   AND NOT EXISTS (SELECT FROM ticket_status s WHERE s.key = NEW.status AND s.category = 'done')
                   AND NOT works_queue(NEW.assignee_id, NEW.queue_id) THEN
                    NEW.assignee_id := NULL;  -- reopened: its assignee has left the queue (or the desk)
                END IF;
                NEW.updated_at := now();
                NEW.first_response_at := OLD.first_response_at;
                NEW.resolved_at := OLD.resolved_at;
                NEW.closed_at := OLD.closed_at;
                RETURN NEW;
            END $fn$
