-- audit_ticket, version 3, applied by migration 0015_performance_2. Released files never change (migrations/sql/README.md).
-- The same rows as version 2, in the same order. Version 2's subqueries were flattened into the join, so
-- each old and new row was turned into jsonb once per field compared (21 times), the planner guessed 48
-- million rows for a 10,000-row statement, spilled its sort to disk and paid for JIT compilation: 15 s of
-- a 10,000-ticket priority change (issue 12). Now each row becomes jsonb once (materialized), and JIT is
-- off for this function (its row guesses over transition tables are what turn JIT on).
CREATE OR REPLACE FUNCTION {{schema}}.audit_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
    SET jit = off
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
        WITH n AS MATERIALIZED (SELECT t.id, t.version, to_jsonb(t) AS row FROM new_rows t),
             o AS MATERIALIZED (SELECT t.id, to_jsonb(t) AS row FROM old_rows t)
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
              FROM n JOIN o ON o.id = n.id
              CROSS JOIN LATERAL jsonb_object_keys(n.row) AS f(key)
              WHERE f.key NOT IN ('version', 'updated_at', 'sla_due_at')
                AND n.row -> f.key IS DISTINCT FROM o.row -> f.key) d
        CROSS JOIN session_identity() who
        ORDER BY d.id, d.field;
        RETURN NULL;
    END $fn$
