-- ticket_timestamps, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Resolved and closed times follow the status, for every writer.
CREATE OR REPLACE FUNCTION {{schema}}.ticket_timestamps()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE category text;
            BEGIN
                IF NEW.status IS NOT DISTINCT FROM OLD.status THEN RETURN NEW; END IF;
                SELECT s.category INTO category FROM ticket_status s WHERE s.key = NEW.status;
                IF category = 'done' THEN
                    NEW.resolved_at := coalesce(OLD.resolved_at, now());
                    NEW.closed_at := CASE WHEN NEW.status = 'closed' THEN now() END;
                ELSE
                    NEW.resolved_at := NULL;
                    NEW.closed_at := NULL;
                END IF;
                RETURN NEW;
            END $fn$
