-- sla_ledger_marks, version 1, applied by migration 0035_ticket_triggers. Released files never change (migrations/sql/README.md).
-- The recompute marks of an UPDATE of tickets, for the whole statement at once: every ticket not in a done
-- category whose priority, queue, type, channel or tags changed gets a 'recompute' entry for resolution
-- and, while it has no first response, for first response, noting the fields ("priority, queue changed"),
-- and goes on the sweep's watch list — what `sla_ledger_ticket()` version 2 did row by row. A definer
-- statement trigger (AFTER UPDATE, transition tables old_rows and new_rows): a login's own UPDATE of
-- tickets is marked whoever sends it, and nobody may call it (EXECUTE revoked from PUBLIC). Its statement has
-- no parameters, so the session keeps the first plan; nested loops are off so that a plan made for a one-row
-- statement does not join a later 10,000-row statement's transition tables row by row (8.6 s, 0.2 s now).
CREATE OR REPLACE FUNCTION {{schema}}.sla_ledger_marks()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
    SET jit = off
    SET enable_nestloop = off
AS $fn$
    BEGIN
        WITH changed AS MATERIALIZED (
            SELECT n.id, n.first_response_at,
                   array_to_string(ARRAY[
                       CASE WHEN n.priority IS DISTINCT FROM o.priority THEN 'priority' END,
                       CASE WHEN n.queue_id IS DISTINCT FROM o.queue_id THEN 'queue' END,
                       CASE WHEN n.type IS DISTINCT FROM o.type THEN 'type' END,
                       CASE WHEN n.channel IS DISTINCT FROM o.channel THEN 'channel' END,
                       CASE WHEN n.tags IS DISTINCT FROM o.tags THEN 'tags' END], ', ') || ' changed' AS note
            FROM new_rows n
            JOIN old_rows o ON o.id = n.id
            LEFT JOIN ticket_status s ON s.key = n.status
            WHERE (n.priority IS DISTINCT FROM o.priority OR n.queue_id IS DISTINCT FROM o.queue_id
                   OR n.type IS DISTINCT FROM o.type OR n.channel IS DISTINCT FROM o.channel
                   OR n.tags IS DISTINCT FROM o.tags)
              AND s.category IS DISTINCT FROM 'done'
        ), marks AS (
            INSERT INTO sla_ledger (ticket_id, target, entry, at, status, note)
            SELECT c.id, t.target, 'recompute', now(), NULL, c.note
            FROM changed c
            CROSS JOIN (VALUES (1, 'first_response'), (2, 'resolution')) AS t(ord, target)
            WHERE t.target = 'resolution' OR c.first_response_at IS NULL
            ORDER BY c.id, t.ord
        )
        INSERT INTO sla_watch (ticket_id, check_at)
        SELECT c.id, now() FROM changed c ORDER BY c.id
        ON CONFLICT (ticket_id) DO UPDATE SET check_at = least(sla_watch.check_at, now());
        RETURN NULL;
    END $fn$
