-- audit_message, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.audit_message()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                         ticket_version, action, field, old_value, new_value)
                SELECT current_agent_id(), current_login(), 'message', NEW.id, NEW.ticket_id, t.version,
                       NEW.kind, 'message', NULL,
                       jsonb_build_object('kind', NEW.kind, 'author',
                           coalesce((SELECT name FROM customer WHERE id = NEW.author_customer_id),
                                    (SELECT display_name FROM agent WHERE id = NEW.author_agent_id)))
                FROM ticket t WHERE t.id = NEW.ticket_id;
                RETURN NULL;
            END $fn$
