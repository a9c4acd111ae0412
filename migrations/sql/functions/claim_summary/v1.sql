-- claim_summary, version 1, applied by migration 0047_probe_fixes_4. Released files never change (migrations/sql/README.md).
-- `claim_ticket()` (take this ticket), with the names the client's summary shows (`queries.summary_from_row`'s columns, in its
-- order), in the one round trip the claim is (PL/pgSQL: it keeps its plan for the session; a SQL function
-- planned the joins at every call). The names were joined in the client's statement, through the
-- row-level security of five tables: five policy checks and the joins planned for each claim, a fifth of its
-- time on the server, and the service made 955 claims a second at eight agents where the claim alone made
-- 1,300 (issue 12). Here the owner reads them, for the one ticket the claim checked and took: its queue is
-- the caller's, and every staff login reads queues, agents, customers, their addresses and organisations.
CREATE OR REPLACE FUNCTION {{schema}}.claim_summary(p_ticket bigint, p_expected_version integer)
    RETURNS TABLE (
        id bigint, number bigint, subject varchar, status varchar, priority smallint, type varchar, queue_id bigint,
        queue_name varchar, assignee_id bigint, assignee_name varchar, customer_id bigint, customer_name varchar,
        channel varchar, tags varchar[], custom_fields jsonb, language varchar, merged_into_id bigint,
        created_at timestamptz, updated_at timestamptz, first_response_at timestamptz, resolved_at timestamptz,
        closed_at timestamptz, first_response_due_at timestamptz, next_response_due_at timestamptz,
        resolution_due_at timestamptz, sla_due_at timestamptz, version integer, customer_emails varchar[],
        organisation_name varchar)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    RETURN QUERY
    SELECT c.id, c.number, c.subject, c.status, c.priority, c.type, c.queue_id, q.name, c.assignee_id,
           a.display_name, c.customer_id, cu.name, c.channel, c.tags, c.custom_fields, c.language,
           c.merged_into_id, c.created_at, c.updated_at, c.first_response_at, c.resolved_at, c.closed_at,
           c.first_response_due_at, c.next_response_due_at, c.resolution_due_at, c.sla_due_at, c.version,
           (SELECT array_agg(e.address ORDER BY e.is_primary DESC, e.id) FROM customer_email e
            WHERE e.customer_id = cu.id),
           o.name
    FROM claim_ticket(p_ticket, p_expected_version) c
    JOIN queue q ON q.id = c.queue_id
    JOIN customer cu ON cu.id = c.customer_id
    LEFT JOIN agent a ON a.id = c.assignee_id
    LEFT JOIN organisation o ON o.id = cu.organisation_id;
END
$fn$
