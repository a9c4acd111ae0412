-- audit_ticket, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- One audit row per changed field, the actor taken from the session, never from the client.
CREATE OR REPLACE FUNCTION {{schema}}.audit_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE
                old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ELSE '{}' END;
                new_row jsonb := to_jsonb(NEW);
                action text := coalesce(nullif(current_setting('switchboard.action', true), ''), 'update');
                field text;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                             ticket_version, action, field, old_value, new_value)
                    VALUES (current_agent_id(), current_login(), 'ticket', NEW.id, NEW.id, NEW.version,
                            'create', 'status', NULL, to_jsonb(NEW.status));
                    RETURN NULL;
                END IF;
                FOR field IN SELECT key FROM jsonb_object_keys(new_row) AS key
                             WHERE key NOT IN ('version', 'updated_at', 'sla_due_at')
                               AND new_row -> key IS DISTINCT FROM old_row -> key ORDER BY key LOOP
                    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                             ticket_version, action, field, old_value, new_value)
                    VALUES (current_agent_id(), current_login(), 'ticket', NEW.id, NEW.id, NEW.version, action,
                            field, audit_value(field, old_row -> field), audit_value(field, new_row -> field));
                END LOOP;
                RETURN NULL;
            END $fn$
