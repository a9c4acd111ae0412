-- sla_ledger_ticket, version 2, applied by migration 0017_sla_supervisor. Released files never change (migrations/sql/README.md).
-- The SLA ledger follows the ticket, whoever writes it and however: a new ticket starts its first
-- response and resolution clocks; a status change pauses or resumes each clock as the statuses say
-- (`ticket_status.sla_clocks`, or the category's default: open runs every clock, paused runs only the
-- first response, done runs none); moving to a done category fulfils resolution (a merge stops it);
-- leaving a done category (a reopen) restarts resolution; the first response fulfils its clock. Every
-- change of what chooses the policy or its targets (priority, queue, type, channel, tags) is a recompute
-- mark with the fields that changed. Every ticket whose ledger grew is put on the sweep's watch list, so
-- its due times are computed again. A row trigger (AFTER INSERT; AFTER UPDATE OF those columns): the due
-- times themselves come from the pure clock functions in the sweep, never from here.
-- Version 2: the next-response clock (started by a customer message once the ticket had its first
-- response: sla_ledger_message()) pauses and resumes with the statuses like the others and stops when the
-- ticket is done (a customer's message that reopens it starts it afresh; an agent's reopen does not).
CREATE OR REPLACE FUNCTION {{schema}}.sla_ledger_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE
        new_category text; new_clocks text[];
        old_category text; old_clocks text[];
        target text; was_running boolean; runs boolean;
        written integer := 0; changed text[];
        has_next boolean;
    BEGIN
        SELECT s.category,
               coalesce(s.sla_clocks, CASE s.category WHEN 'open' THEN ARRAY['first_response', 'next_response', 'resolution']
                                                      WHEN 'paused' THEN ARRAY['first_response'] ELSE ARRAY[]::text[] END)
          INTO new_category, new_clocks FROM ticket_status s WHERE s.key = NEW.status;
        IF TG_OP = 'INSERT' THEN
            FOREACH target IN ARRAY ARRAY['first_response', 'resolution'] LOOP
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (NEW.id, target, 'start', NEW.created_at, NEW.status, '');
                IF new_category IS DISTINCT FROM 'done' AND (target = ANY (new_clocks)) IS NOT TRUE THEN
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, target, 'pause', NEW.created_at, NEW.status, '');
                END IF;
            END LOOP;
            IF NEW.first_response_at IS NOT NULL THEN
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (NEW.id, 'first_response', 'fulfil', NEW.first_response_at, NULL, 'first reply');
            END IF;
            IF new_category = 'done' THEN
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (NEW.id, 'resolution', 'fulfil', coalesce(NEW.resolved_at, NEW.created_at), NEW.status, 'created done');
            END IF;
            INSERT INTO sla_watch (ticket_id, check_at) VALUES (NEW.id, now())
            ON CONFLICT (ticket_id) DO UPDATE SET check_at = least(sla_watch.check_at, now());
            RETURN NULL;
        END IF;
        -- UPDATE
        IF OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL THEN
            INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
            VALUES (NEW.id, 'first_response', 'fulfil', NEW.first_response_at, NULL, 'first reply');
            written := written + 1;
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            has_next := EXISTS (SELECT FROM sla_ledger l WHERE l.ticket_id = NEW.id AND l.target = 'next_response');
            SELECT s.category,
                   coalesce(s.sla_clocks, CASE s.category WHEN 'open' THEN ARRAY['first_response', 'next_response', 'resolution']
                                                          WHEN 'paused' THEN ARRAY['first_response'] ELSE ARRAY[]::text[] END)
              INTO old_category, old_clocks FROM ticket_status s WHERE s.key = OLD.status;
            IF new_category = 'done' AND old_category IS DISTINCT FROM 'done' THEN
                IF NEW.merged_into_id IS NOT NULL THEN
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, 'resolution', 'stop', now(), NEW.status, 'merged');
                ELSE
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, 'resolution', 'fulfil', now(), NEW.status, '');
                END IF;
                IF NEW.first_response_at IS NULL THEN
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, 'first_response', 'stop', now(), NEW.status, 'closed without a reply');
                END IF;
                IF has_next THEN
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, 'next_response', 'stop', now(), NEW.status, '');
                END IF;
            ELSIF old_category = 'done' AND new_category IS DISTINCT FROM 'done' THEN
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (NEW.id, 'resolution', 'restart', now(), NEW.status, 'reopened');
                IF ('resolution' = ANY (new_clocks)) IS NOT TRUE THEN
                    INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                    VALUES (NEW.id, 'resolution', 'pause', now(), NEW.status, '');
                END IF;
            ELSIF new_category IS DISTINCT FROM 'done' THEN
                FOREACH target IN ARRAY ARRAY['first_response', 'next_response', 'resolution'] LOOP
                    CONTINUE WHEN target = 'first_response' AND NEW.first_response_at IS NOT NULL;
                    CONTINUE WHEN target = 'next_response' AND NOT has_next;
                    was_running := coalesce(target = ANY (old_clocks), false);
                    runs := coalesce(target = ANY (new_clocks), false);
                    IF was_running AND NOT runs THEN
                        INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                        VALUES (NEW.id, target, 'pause', now(), NEW.status, '');
                    ELSIF runs AND NOT was_running THEN
                        INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                        VALUES (NEW.id, target, 'resume', now(), NEW.status, '');
                    END IF;
                END LOOP;
            END IF;
            written := written + 1;
        END IF;
        changed := array_remove(ARRAY[
            CASE WHEN NEW.priority IS DISTINCT FROM OLD.priority THEN 'priority' END,
            CASE WHEN NEW.queue_id IS DISTINCT FROM OLD.queue_id THEN 'queue' END,
            CASE WHEN NEW.type IS DISTINCT FROM OLD.type THEN 'type' END,
            CASE WHEN NEW.channel IS DISTINCT FROM OLD.channel THEN 'channel' END,
            CASE WHEN NEW.tags IS DISTINCT FROM OLD.tags THEN 'tags' END], NULL);
        IF cardinality(changed) > 0 AND new_category IS DISTINCT FROM 'done' THEN
            FOREACH target IN ARRAY ARRAY['first_response', 'resolution'] LOOP
                CONTINUE WHEN target = 'first_response' AND NEW.first_response_at IS NOT NULL;
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (NEW.id, target, 'recompute', now(), NULL, array_to_string(changed, ', ') || ' changed');
            END LOOP;
            written := written + 1;
        END IF;
        IF written > 0 THEN
            INSERT INTO sla_watch (ticket_id, check_at) VALUES (NEW.id, now())
            ON CONFLICT (ticket_id) DO UPDATE SET check_at = least(sla_watch.check_at, now());
        END IF;
        RETURN NULL;
    END $fn$
