-- audit_ticket, version 5, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- Version 4 asking session_who() for the actor (agent id and login) instead of session_identity(), which
-- also built the queue arrays the audit never reads (a claim's statement: 69 µs of identity, now 21 µs;
-- issue 12). Everything else as version 4, whose notes follow.
-- The same rows as version 3, in the same order (field names ascending within a ticket; old and new values
-- as to_jsonb of the column, JSON null for NULL, priorities by name). Version 3 turned both versions of
-- every row into jsonb and compared them key by key: 0.56 ms of a one-ticket claim's 0.95 ms, 0.8 s of a
-- 10,000-ticket statement. Now each audited column is compared as itself and only a changed one becomes
-- jsonb (10,000 tickets: 54 ms against 640 ms for the same rows). The columns are listed, so a column added to
-- `ticket` needs a new version: `tests/integration/test_ticket_triggers_0035.py` fails until every column but
-- version, updated_at and sla_due_at (the bookkeeping the audit never recorded) is listed here. The plan is
-- generic from the first call (planning 21 branches cost more than a one-row statement's whole audit: 0.9
-- ms in a connection's first five), and never a nested loop over the transition tables: a plan made for a
-- one-row statement and kept by the session joined the next 10,000-row statement's tables row by row (14 s;
-- version 3 was exposed to the same after five calls).
CREATE OR REPLACE FUNCTION {{schema}}.audit_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
    SET jit = off
    SET plan_cache_mode = force_generic_plan
    SET enable_nestloop = off
AS $fn$
    DECLARE
        action text := coalesce(nullif(current_setting('switchboard.action', true), ''), 'update');
        labels text[] := ARRAY['low', 'normal', 'high', 'urgent'];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                     ticket_version, action, field, old_value, new_value)
            SELECT who.agent_id, who.login, 'ticket', n.id, n.id, n.version, 'create', 'status', NULL,
                   to_jsonb(n.status)
            FROM new_rows n CROSS JOIN session_who() who
            ORDER BY n.id;
            RETURN NULL;
        END IF;
        INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id,
                                 ticket_version, action, field, old_value, new_value)
        SELECT who.agent_id, who.login, 'ticket', n.id, n.id, n.version, action, c.field, c.old_value, c.new_value
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (
                      SELECT 'assignee_id', coalesce(to_jsonb(o.assignee_id), 'null'), coalesce(to_jsonb(n.assignee_id), 'null') WHERE o.assignee_id IS DISTINCT FROM n.assignee_id
                      UNION ALL SELECT 'channel', coalesce(to_jsonb(o.channel), 'null'), coalesce(to_jsonb(n.channel), 'null') WHERE o.channel IS DISTINCT FROM n.channel
                      UNION ALL SELECT 'closed_at', coalesce(to_jsonb(o.closed_at), 'null'), coalesce(to_jsonb(n.closed_at), 'null') WHERE o.closed_at IS DISTINCT FROM n.closed_at
                      UNION ALL SELECT 'created_at', coalesce(to_jsonb(o.created_at), 'null'), coalesce(to_jsonb(n.created_at), 'null') WHERE o.created_at IS DISTINCT FROM n.created_at
                      UNION ALL SELECT 'custom_fields', coalesce(to_jsonb(o.custom_fields), 'null'), coalesce(to_jsonb(n.custom_fields), 'null') WHERE o.custom_fields IS DISTINCT FROM n.custom_fields
                      UNION ALL SELECT 'customer_id', coalesce(to_jsonb(o.customer_id), 'null'), coalesce(to_jsonb(n.customer_id), 'null') WHERE o.customer_id IS DISTINCT FROM n.customer_id
                      UNION ALL SELECT 'first_response_at', coalesce(to_jsonb(o.first_response_at), 'null'), coalesce(to_jsonb(n.first_response_at), 'null') WHERE o.first_response_at IS DISTINCT FROM n.first_response_at
                      UNION ALL SELECT 'first_response_due_at', coalesce(to_jsonb(o.first_response_due_at), 'null'), coalesce(to_jsonb(n.first_response_due_at), 'null') WHERE o.first_response_due_at IS DISTINCT FROM n.first_response_due_at
                      UNION ALL SELECT 'id', coalesce(to_jsonb(o.id), 'null'), coalesce(to_jsonb(n.id), 'null') WHERE o.id IS DISTINCT FROM n.id
                      UNION ALL SELECT 'language', coalesce(to_jsonb(o.language), 'null'), coalesce(to_jsonb(n.language), 'null') WHERE o.language IS DISTINCT FROM n.language
                      UNION ALL SELECT 'merged_into_id', coalesce(to_jsonb(o.merged_into_id), 'null'), coalesce(to_jsonb(n.merged_into_id), 'null') WHERE o.merged_into_id IS DISTINCT FROM n.merged_into_id
                      UNION ALL SELECT 'next_response_due_at', coalesce(to_jsonb(o.next_response_due_at), 'null'), coalesce(to_jsonb(n.next_response_due_at), 'null') WHERE o.next_response_due_at IS DISTINCT FROM n.next_response_due_at
                      UNION ALL SELECT 'number', coalesce(to_jsonb(o.number), 'null'), coalesce(to_jsonb(n.number), 'null') WHERE o.number IS DISTINCT FROM n.number
                      UNION ALL SELECT 'priority', coalesce(to_jsonb(labels[o.priority + 1]), 'null'), coalesce(to_jsonb(labels[n.priority + 1]), 'null') WHERE o.priority IS DISTINCT FROM n.priority
                      UNION ALL SELECT 'queue_id', coalesce(to_jsonb(o.queue_id), 'null'), coalesce(to_jsonb(n.queue_id), 'null') WHERE o.queue_id IS DISTINCT FROM n.queue_id
                      UNION ALL SELECT 'resolution_due_at', coalesce(to_jsonb(o.resolution_due_at), 'null'), coalesce(to_jsonb(n.resolution_due_at), 'null') WHERE o.resolution_due_at IS DISTINCT FROM n.resolution_due_at
                      UNION ALL SELECT 'resolved_at', coalesce(to_jsonb(o.resolved_at), 'null'), coalesce(to_jsonb(n.resolved_at), 'null') WHERE o.resolved_at IS DISTINCT FROM n.resolved_at
                      UNION ALL SELECT 'status', coalesce(to_jsonb(o.status), 'null'), coalesce(to_jsonb(n.status), 'null') WHERE o.status IS DISTINCT FROM n.status
                      UNION ALL SELECT 'subject', coalesce(to_jsonb(o.subject), 'null'), coalesce(to_jsonb(n.subject), 'null') WHERE o.subject IS DISTINCT FROM n.subject
                      UNION ALL SELECT 'tags', coalesce(to_jsonb(o.tags), 'null'), coalesce(to_jsonb(n.tags), 'null') WHERE o.tags IS DISTINCT FROM n.tags
                      UNION ALL SELECT 'type', coalesce(to_jsonb(o.type), 'null'), coalesce(to_jsonb(n.type), 'null') WHERE o.type IS DISTINCT FROM n.type
        ) AS c(field, old_value, new_value)
        CROSS JOIN session_who() who
        ORDER BY n.id, c.field;
        RETURN NULL;
    END $fn$
