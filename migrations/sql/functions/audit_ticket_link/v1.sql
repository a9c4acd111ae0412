-- audit_ticket_link, version 1, applied by migration 0048_probe_fixes_5. Released files never change (migrations/sql/README.md).
-- A link between two tickets is audited on both, with who made it: a link left no trace in either
-- ticket's history (the client's raised the version, which the ticket's audit skips; one made in plain SQL
-- not even that). One row per ticket: field 'linked', the other ticket's id as the new value (the history
-- names it by number), the ticket's version as it stands. A statement-level trigger over new_rows: the
-- actor is looked up once per statement (`session_who()`).
CREATE OR REPLACE FUNCTION {{schema}}.audit_ticket_link()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                 ticket_version, action, field, old_value, new_value)
        SELECT who.agent_id, who.login, 'ticket_link', side.other, side.ticket, t.version, 'link', 'linked', NULL,
               to_jsonb(side.other)
        FROM new_rows n
        CROSS JOIN LATERAL (VALUES (n.ticket_id, n.related_ticket_id),
                                   (n.related_ticket_id, n.ticket_id)) AS side (ticket, other)
        JOIN ticket t ON t.id = side.ticket
        CROSS JOIN session_who() who
        ORDER BY side.ticket, side.other;
        RETURN NULL;
    END $fn$
