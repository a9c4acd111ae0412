-- message_first_response, version 3, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- Version 2 ran its UPDATE for every message statement, public reply or not. An UPDATE that matches no row
-- still fires the ticket's statement triggers (audit, change log, tally, SLA marks) over empty transition
-- tables: 1.1 ms of a ticket creation's 3.4 ms of trigger time went there, and every customer message and
-- internal note paid the same (issue 12). Now the UPDATE runs only when the statement added a public reply.
-- The first public reply stamps the first response, whoever wrote it and however. Once per statement
-- over its new rows; the trigger's name sorts after message_change_log_insert, so the change log lists
-- the reply before the ticket update it causes, as the row-level triggers did.
CREATE OR REPLACE FUNCTION {{schema}}.message_first_response()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        IF NOT EXISTS (SELECT FROM new_rows n WHERE n.kind = 'public_reply') THEN
            RETURN NULL;
        END IF;
        UPDATE ticket t SET first_response_at = r.created_at
        FROM (SELECT n.ticket_id, min(n.created_at) AS created_at FROM new_rows n
              WHERE n.kind = 'public_reply' GROUP BY n.ticket_id) r
        WHERE t.id = r.ticket_id AND t.first_response_at IS NULL;
        RETURN NULL;
    END $fn$
