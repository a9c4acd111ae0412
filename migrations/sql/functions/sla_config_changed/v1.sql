-- sla_config_changed, version 1, applied by migration 0017_sla_supervisor. Released files never change (migrations/sql/README.md).
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
    BEGIN
        IF TG_TABLE_NAME = 'sla_policy' THEN
            -- a record's fields are looked up when the statement runs: only a policy has is_active
            IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> 'is_active')::boolean
               AND NOT (to_jsonb(NEW) ->> 'is_active')::boolean THEN
                done := ' retired';
            END IF;
            what := 'policy ' || NEW.name || done;
        ELSE
            what := 'calendar ' || NEW.name || done;
        END IF;
        INSERT INTO sla_recompute (reason, requested_by, up_to_ticket_id)
        VALUES (what, coalesce(current_login(), session_user::text), coalesce((SELECT max(id) FROM ticket), 0));
        RETURN NULL;
    END $fn$
