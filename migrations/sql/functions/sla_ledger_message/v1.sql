-- sla_ledger_message, version 1, applied by migration 0017_sla_supervisor. Released files never change (migrations/sql/README.md).
-- The next-response clock follows the conversation, whoever writes the message: a customer's message to a
-- ticket that has had its first response restarts it (the first message is the first response's to
-- answer), paused at once when the ticket's status does not run it; a public reply fulfils it. The ticket
-- goes on the sweep's watch list. A definer row trigger (AFTER INSERT ON message, customer messages and
-- public replies only): staff write no ledger.
CREATE OR REPLACE FUNCTION {{schema}}.sla_ledger_message()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE t ticket%ROWTYPE; category text; clocks text[];
    BEGIN
        SELECT * INTO t FROM ticket WHERE id = NEW.ticket_id;
        IF NOT FOUND OR t.merged_into_id IS NOT NULL THEN
            RETURN NULL;
        END IF;
        IF NEW.kind = 'customer_message' THEN
            IF t.first_response_at IS NULL THEN
                RETURN NULL;
            END IF;
            SELECT s.category,
                   coalesce(s.sla_clocks, CASE s.category WHEN 'open' THEN ARRAY['first_response', 'next_response', 'resolution']
                                                          WHEN 'paused' THEN ARRAY['first_response'] ELSE ARRAY[]::text[] END)
              INTO category, clocks FROM ticket_status s WHERE s.key = t.status;
            INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
            VALUES (t.id, 'next_response', 'restart', NEW.created_at, t.status, 'the customer wrote');
            IF ('next_response' = ANY (clocks)) IS NOT TRUE THEN
                INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
                VALUES (t.id, 'next_response', 'pause', NEW.created_at, t.status, '');
            END IF;
        ELSIF NEW.kind = 'public_reply' THEN
            IF NOT EXISTS (SELECT FROM sla_ledger l WHERE l.ticket_id = t.id AND l.target = 'next_response') THEN
                RETURN NULL;
            END IF;
            INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
            VALUES (t.id, 'next_response', 'fulfil', NEW.created_at, t.status, 'replied');
        ELSE
            RETURN NULL;
        END IF;
        INSERT INTO sla_watch (ticket_id, check_at) VALUES (t.id, now())
        ON CONFLICT (ticket_id) DO UPDATE SET check_at = least(sla_watch.check_at, now());
        RETURN NULL;
    END $fn$
