-- message_first_response, version 2, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- The first public reply stamps the first response, whoever wrote it and however. Once per statement
-- over its new rows; the trigger's name sorts after message_change_log_insert, so the change log lists
-- the reply before the ticket update it causes, as the row-level triggers did.
CREATE OR REPLACE FUNCTION {{schema}}.message_first_response()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        UPDATE ticket t SET first_response_at = r.created_at
        FROM (SELECT n.ticket_id, min(n.created_at) AS created_at FROM new_rows n
              WHERE n.kind = 'public_reply' GROUP BY n.ticket_id) r
        WHERE t.id = r.ticket_id AND t.first_response_at IS NULL;
        RETURN NULL;
    END $fn$
