-- audit_message, version 3, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- A statement-level trigger over new_rows: the actor is looked up once per statement, from session_who()
-- (the agent id and login, without the queue arrays session_identity() also built: issue 12).
CREATE OR REPLACE FUNCTION {{schema}}.audit_message()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                 ticket_version, action, field, old_value, new_value)
        SELECT who.agent_id, who.login, 'message', n.id, n.ticket_id, t.version, n.kind, 'message', NULL,
               jsonb_build_object('kind', n.kind, 'author',
                   coalesce((SELECT c.name FROM customer c WHERE c.id = n.author_customer_id),
                            (SELECT a.display_name FROM agent a WHERE a.id = n.author_agent_id)))
        FROM new_rows n JOIN ticket t ON t.id = n.ticket_id CROSS JOIN session_who() who
        ORDER BY n.id;
        RETURN NULL;
    END $fn$
