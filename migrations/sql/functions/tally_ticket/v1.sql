-- tally_ticket, version 1, applied by migration 0004_ticket_tally. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.tally_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.merged_into_id IS NULL THEN
                UPDATE ticket_tally SET tickets = tickets - 1
                WHERE queue_id = OLD.queue_id AND status = OLD.status AND assignee_id = coalesce(OLD.assignee_id, 0);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.merged_into_id IS NULL THEN
                INSERT INTO ticket_tally (queue_id, status, assignee_id, tickets)
                VALUES (NEW.queue_id, NEW.status, coalesce(NEW.assignee_id, 0), 1)
                ON CONFLICT (queue_id, status, assignee_id) DO UPDATE SET tickets = ticket_tally.tickets + 1;
            END IF;
            RETURN NULL;
        END $fn$
