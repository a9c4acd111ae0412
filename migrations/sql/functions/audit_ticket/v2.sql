-- audit_ticket, version 2, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- One audit row per changed field, the actor taken from the session, never from the client. A
-- statement-level trigger over the statement's transition tables (old_rows, new_rows): the actor is
-- looked up once per statement, not once per row and field.
CREATE OR REPLACE FUNCTION {{schema}}.audit_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE
        action text := coalesce(nullif(current_setting('switchboard.action', true), ''), 'update');
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                     ticket_version, action, field, old_value, new_value)
            SELECT who.agent_id, who.login, 'ticket', n.id, n.id, n.version, 'create', 'status', NULL,
                   to_jsonb(n.status)
            FROM new_rows n CROSS JOIN session_identity() who
            ORDER BY n.id;
            RETURN NULL;
        END IF;
        INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                 ticket_version, action, field, old_value, new_value)
        SELECT who.agent_id, who.login, 'ticket', d.id, d.id, d.version, action, d.field,
               CASE WHEN d.field = 'priority' AND jsonb_typeof(d.old_value) = 'number'
                    THEN to_jsonb((ARRAY['low', 'normal', 'high', 'urgent'])[(d.old_value #>> '{}')::int + 1])
                    ELSE d.old_value END,
               CASE WHEN d.field = 'priority' AND jsonb_typeof(d.new_value) = 'number'
                    THEN to_jsonb((ARRAY['low', 'normal', 'high', 'urgent'])[(d.new_value #>> '{}')::int + 1])
                    ELSE d.new_value END
        FROM (SELECT n.id, n.version, f.key AS field, o.row -> f.key AS old_value, n.row -> f.key AS new_value
              FROM (SELECT t.id, t.version, to_jsonb(t) AS row FROM new_rows t) n
              JOIN (SELECT t.id, to_jsonb(t) AS row FROM old_rows t) o ON o.id = n.id
              CROSS JOIN LATERAL jsonb_object_keys(n.row) AS f(key)
              WHERE f.key NOT IN ('version', 'updated_at', 'sla_due_at')
                AND n.row -> f.key IS DISTINCT FROM o.row -> f.key) d
        CROSS JOIN session_identity() who
        ORDER BY d.id, d.field;
        RETURN NULL;
    END $fn$
