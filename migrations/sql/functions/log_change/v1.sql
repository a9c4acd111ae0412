-- log_change, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- One entry per changed row; the NOTIFY says only "something changed" (PostgreSQL folds identical
-- notifications of one transaction into one, delivered at commit).
CREATE OR REPLACE FUNCTION {{schema}}.log_change()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE ticket bigint; entity text := TG_ARGV[0]; entity_id bigint;
            BEGIN
                IF entity = 'ticket_link' THEN
                    INSERT INTO change_log (entity, entity_id, ticket_id, operation)
                    VALUES ('ticket', NEW.related_ticket_id, NEW.related_ticket_id, 'update'),
                           ('ticket', NEW.ticket_id, NEW.ticket_id, 'update');
                ELSE
                    entity_id := NEW.id;
                    IF entity = 'ticket' THEN ticket := NEW.id;
                    ELSIF entity = 'message' THEN ticket := NEW.ticket_id;
                    END IF;
                    INSERT INTO change_log (entity, entity_id, ticket_id, operation)
                    VALUES (entity, entity_id, ticket, lower(TG_OP));
                END IF;
                PERFORM pg_notify('switchboard_changes', '');
                RETURN NULL;
            END $fn$
