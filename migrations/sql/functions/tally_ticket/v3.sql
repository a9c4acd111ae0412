-- tally_ticket, version 3, applied by migration 0021_load_tally. Released files never change (migrations/sql/README.md).
-- Version 3 also counts the urgent tickets of each group (`urgent`): an agent's routing load (urgent counts
-- two) is then a sum over a few tally rows instead of a scan of their open tickets (issue 12). A priority
-- change within a group appends a row whose tickets are 0 and whose urgent count moves.
-- The tally is append-only: each statement adds one row per (queue, status, assignee) whose count it
-- changed, with the difference (old_rows count -1, new_rows +1; merged tickets are not counted), and a
-- count is the sum of the rows. Writers never update a shared row, so they never wait for each other.
-- Now and then (one statement in 16) a writer folds the rows of the groups it touched into one row per
-- group, taking only rows nobody else is folding (SKIP LOCKED): the table stays small and nobody waits.
CREATE OR REPLACE FUNCTION {{schema}}.tally_ticket()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE queues bigint[]; statuses text[]; assignees bigint[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            WITH added AS (
                INSERT INTO ticket_tally (queue_id, status, assignee_id, tickets, urgent)
                SELECT n.queue_id, n.status, coalesce(n.assignee_id, 0), count(*), count(*) FILTER (WHERE n.priority = 3)
                FROM new_rows n WHERE n.merged_into_id IS NULL GROUP BY 1, 2, 3
                RETURNING queue_id, status, assignee_id)
            SELECT array_agg(queue_id), array_agg(status), array_agg(assignee_id) INTO queues, statuses, assignees
            FROM added;
        ELSIF TG_OP = 'DELETE' THEN
            WITH added AS (
                INSERT INTO ticket_tally (queue_id, status, assignee_id, tickets, urgent)
                SELECT o.queue_id, o.status, coalesce(o.assignee_id, 0), -count(*), -count(*) FILTER (WHERE o.priority = 3)
                FROM old_rows o WHERE o.merged_into_id IS NULL GROUP BY 1, 2, 3
                RETURNING queue_id, status, assignee_id)
            SELECT array_agg(queue_id), array_agg(status), array_agg(assignee_id) INTO queues, statuses, assignees
            FROM added;
        ELSE
            WITH added AS (
                INSERT INTO ticket_tally (queue_id, status, assignee_id, tickets, urgent)
                SELECT d.queue_id, d.status, d.assignee_id, sum(d.tickets), sum(d.urgent)
                FROM (SELECT o.queue_id, o.status, coalesce(o.assignee_id, 0) AS assignee_id, -1 AS tickets,
                             CASE WHEN o.priority = 3 THEN -1 ELSE 0 END AS urgent
                      FROM old_rows o WHERE o.merged_into_id IS NULL
                      UNION ALL
                      SELECT n.queue_id, n.status, coalesce(n.assignee_id, 0), 1, CASE WHEN n.priority = 3 THEN 1 ELSE 0 END
                      FROM new_rows n WHERE n.merged_into_id IS NULL) d
                GROUP BY 1, 2, 3 HAVING sum(d.tickets) <> 0 OR sum(d.urgent) <> 0
                RETURNING queue_id, status, assignee_id)
            SELECT array_agg(queue_id), array_agg(status), array_agg(assignee_id) INTO queues, statuses, assignees
            FROM added;
        END IF;
        IF queues IS NOT NULL AND random() < 1.0 / 16 THEN
            PERFORM fold_ticket_tally(queues, statuses, assignees);
        END IF;
        RETURN NULL;
    END $fn$
