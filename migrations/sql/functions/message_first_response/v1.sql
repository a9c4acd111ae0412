-- message_first_response, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- The first public reply stamps the first response, whoever wrote it and however.
CREATE OR REPLACE FUNCTION {{schema}}.message_first_response()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                IF NEW.kind = 'public_reply' THEN
                    UPDATE ticket SET first_response_at = NEW.created_at
                    WHERE id = NEW.ticket_id AND first_response_at IS NULL;
                END IF;
                RETURN NULL;
            END $fn$
