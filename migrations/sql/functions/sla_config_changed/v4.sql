-- sla_config_changed, version 4, applied by migration 0053_probe_fixes_10. Released files never change (migrations/sql/README.md).
-- Version 4: the names of a calendar's own closed dates (0053) move no due time either: naming a date, or
-- renaming it, filed a recompute of every open ticket of every queue, two ledger entries each.
-- Everything else as version 3, whose notes follow.
-- Version 3 files nothing for a change that moves no due time: a new name alone (or only the row's
-- bookkeeping). A team lead renamed a policy 3,000 times in 3.5 s; each rename filed a request, the worker
-- walked them together with their reasons joined into one of 330 KB, which went into two ledger entries of
-- each open ticket (142 MB for 202 tickets; the worker now also bounds a joined reason).
-- Everything else as version 2, whose notes follow.
-- Version 2 files the queues a policy change can move (`queue_ids` of the request): a policy whose
-- conditions name queues, before and after the change, applies to tickets of those queues only, so only
-- they are walked and only their ledgers name it. Version 1 marked every open ticket of every queue (a
-- team lead's policy wrote its name into other teams' ledgers, and 30,000 tickets were walked for one
-- queue's change). A policy for every queue, or a calendar, still asks for all (NULL).
-- Version 1's notes follow.
-- A policy or a business calendar was added or changed: the open tickets' due times must be computed
-- again. This trigger only files the request, with the reason their ledgers will give ("policy Default
-- changed") and the highest ticket id at that moment (tickets created later already use the new terms);
-- the worker's sweep walks the open tickets in batches, marks each ledger and puts the ticket on the
-- watch list (app/services/sla/recompute.py). A definer function: admins, who write policies and
-- calendars, may not write the request table themselves.
CREATE OR REPLACE FUNCTION {{schema}}.sla_config_changed()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE what text; done text := CASE TG_OP WHEN 'INSERT' THEN ' added' ELSE ' changed' END;
            scope bigint[];
            before bigint[];
    BEGIN
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['name', 'version', 'updated_at', 'closed_date_names'])
                                = (to_jsonb(OLD) - ARRAY['name', 'version', 'updated_at', 'closed_date_names']) THEN
            RETURN NULL;
        END IF;
        IF TG_TABLE_NAME = 'sla_policy' THEN
            -- a record's fields are looked up when the statement runs: only a policy has is_active
            IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> 'is_active')::boolean
               AND NOT (to_jsonb(NEW) ->> 'is_active')::boolean THEN
                done := ' retired';
            END IF;
            what := 'policy ' || NEW.name || done;
            scope := policy_queues(to_jsonb(NEW) -> 'conditions');
            IF TG_OP = 'UPDATE' THEN  -- the queues it applied to, and those it applies to now
                before := policy_queues(to_jsonb(OLD) -> 'conditions');
                scope := CASE WHEN scope IS NOT NULL AND before IS NOT NULL
                              THEN ARRAY(SELECT DISTINCT q FROM unnest(scope || before) q ORDER BY q) END;
            END IF;
        ELSE
            what := 'calendar ' || NEW.name || done;
        END IF;
        INSERT INTO sla_recompute (reason, requested_by, up_to_ticket_id, queue_ids)
        VALUES (what, coalesce(current_login(), session_user::text), coalesce((SELECT max(id) FROM ticket), 0), scope);
        RETURN NULL;
    END $fn$
