-- fold_ticket_tally, version 2, applied by migration 0021_load_tally. Released files never change (migrations/sql/README.md).
-- Version 2 folds the urgent counts with the tickets (tally_ticket version 3).
-- Folds the tally's rows into one row per (queue, status, assignee): the groups given as three
-- parallel arrays (the tally trigger, now and then, for the groups it touched), or every group when the
-- arrays are NULL (the worker, a migration). Rows another transaction is folding are skipped, never
-- waited for; a group whose rows sum to zero disappears. Readers see the rows before or after the fold,
-- and both sum to the same counts. Returns how many rows were folded.
CREATE OR REPLACE FUNCTION {{schema}}.fold_ticket_tally(p_queues bigint[], p_statuses text[], p_assignees bigint[])
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE folded bigint;
    BEGIN
        WITH taken AS (
            DELETE FROM ticket_tally t
            WHERE t.seq IN (SELECT s.seq FROM ticket_tally s
                            WHERE p_queues IS NULL
                               OR (s.queue_id, s.status, s.assignee_id)
                                  IN (SELECT * FROM unnest(p_queues, p_statuses, p_assignees))
                            FOR UPDATE SKIP LOCKED)
            RETURNING t.queue_id, t.status, t.assignee_id, t.tickets, t.urgent
        ), kept AS (
            INSERT INTO ticket_tally (queue_id, status, assignee_id, tickets, urgent)
            SELECT queue_id, status, assignee_id, sum(tickets), sum(urgent) FROM taken
            GROUP BY 1, 2, 3 HAVING sum(tickets) <> 0 OR sum(urgent) <> 0
            RETURNING 1
        )
        SELECT count(*) INTO folded FROM taken;
        RETURN folded;
    END $fn$
