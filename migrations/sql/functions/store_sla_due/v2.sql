-- store_sla_due, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 1, whose notes follow.
-- Stores the due times the pure clock functions computed from a ticket's ledger, in the transaction of the
-- change that grew the ledger (a new ticket, a clock that resumes, a reopen, a customer's message), so the
-- queue shows and sorts the new due time at once instead of at the next sweep minute. The maths is the
-- Python's (app/services/sla/clocks.py), never repeated here: this body checks only who may store and when.
-- - Anyone who sees the ticket (its queue, or assigned to them), or a trusted session (worker, intake).
--   Another ticket is not an error but nothing stored (false), like a ticket that does not exist: due times
--   are bookkeeping, and the change that asked must not fail for them.
-- - Only while the ticket is on the sweep's watch list and due for a look (`check_at <= now()`): the ledger
--   trigger put it there in this very change. The sweep computes the same due times from the ledger within
--   its minute and writes them if they differ, so what a caller stores here is never the last word: a
--   login's own call with made-up times sorts one ticket it sees wrongly for at most that minute, and steps
--   (warnings, breaches, the ladder) are the sweep's own computation, never these columns. Otherwise
--   nothing is stored (false), and the sweep's times stand.
-- - Neither the version nor updated_at changes (due times are bookkeeping, as when the sweep writes them);
--   the audit trail names the write `sla_due` (the caller's own action label is put back after);
--   a clock that does not run in the ticket's status is cleared anyway by c_sla_due_on_write.
CREATE OR REPLACE FUNCTION {{schema}}.store_sla_due(
        p_ticket bigint, p_first_response timestamptz, p_next_response timestamptz, p_resolution timestamptz)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            t ticket%ROWTYPE;
            action text;
    BEGIN
        SELECT * INTO t FROM ticket WHERE id = p_ticket;  -- no lock before the check: none on others' tickets
        IF NOT FOUND OR (me IS NULL OR t.queue_id = ANY (visible_queue_ids())) IS NOT TRUE THEN
            RETURN false;
        END IF;
        IF NOT EXISTS (SELECT FROM sla_watch w WHERE w.ticket_id = p_ticket AND w.check_at <= now()) THEN
            RETURN false;
        END IF;
        action := current_setting('switchboard.action', true);
        PERFORM set_config('switchboard.action', 'sla_due', true);  -- the history says what wrote them
        UPDATE ticket SET first_response_due_at = p_first_response, next_response_due_at = p_next_response,
                          resolution_due_at = p_resolution
        WHERE id = p_ticket
          AND (first_response_due_at IS DISTINCT FROM p_first_response
               OR next_response_due_at IS DISTINCT FROM p_next_response
               OR resolution_due_at IS DISTINCT FROM p_resolution);
        PERFORM set_config('switchboard.action', coalesce(action, ''), true);
        RETURN true;
    END $fn$
