-- sla_ledger_ticket, version 3, applied by migration 0035_ticket_triggers. Released files never change (migrations/sql/README.md).
-- Version 2 without the recompute marks: a change of what chooses the policy or its targets (priority,
-- queue, type, channel, tags) is marked by `sla_ledger_marks()`, a statement trigger over the transition
-- tables (one INSERT for all the statement's tickets instead of a PL/pgSQL call and two or three INSERTs per
-- ticket: 0.5 s of a 10,000-ticket priority change). This row trigger keeps what depends on each ticket's
-- statuses and ledger (a new ticket's clocks; pause, resume, fulfil, stop and restart on a status change;
-- the first response), and runs only when the status or the first response changes. The marks come after
-- the row's own entries, as in version 2 (AFTER statement triggers fire after AFTER row triggers).
CREATE OR REPLACE FUNCTION {{schema}}.sla_ledger_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE
        new_category text; new_clocks text[];
        old_category text; old_clocks text[];
        target text; was_running boolean; runs boolean;
        written integer := 0;
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
        IF written > 0 THEN
            INSERT INTO sla_watch (ticket_id, check_at) VALUES (NEW.id, now())
            ON CONFLICT (ticket_id) DO UPDATE SET check_at = least(sla_watch.check_at, now());
        END IF;
        RETURN NULL;
    END $fn$
