-- release_lost_work, version 1, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- When someone stops working a queue — taken out of it (a queue_member row deleted), no longer its lead (the
-- queue's team_lead_id changed), made a lesser role (an admin made a supervisor or an agent, a lead an
-- agent) or disabled — their sessions in a transaction begun before this change are ended, and their open
-- tickets in queues they no longer work are unassigned (audited as 'release'). A deferred constraint trigger: it
-- runs at the commit of the change, on the memberships as they then are, so a membership deleted and
-- given again in one transaction releases nothing. "Works the queue" is `works_queue()`'s (active; an admin,
-- a member, or a supervisor who leads it), as for an assignment: the committing session is an admin's, a
-- lead's or the DBA's, for whom it answers.
-- Why: an assignee must work the ticket's queue, and nothing kept it so. A probe took an agent out of her
-- only queue and she kept every ticket assigned to her there (11 open ones, which "get next" then skipped
-- for everyone); and a transaction opened before a demotion kept the old role in its snapshot: a demoted
-- admin, in a REPEATABLE READ transaction begun before, set another admin's password and assigned another
-- queue's ticket. A session not in a transaction has no snapshot and is left alone. Known limit: a
-- transaction the person begins in the moment between this trigger and the commit still reads the old
-- memberships (ticket locks are skipped, so that moment is short); and a change that fails after this ran
-- has ended their sessions all the same.
CREATE OR REPLACE FUNCTION {{schema}}.release_lost_work()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE leaver bigint;
        lost_queue bigint;  -- NULL: a lesser role, which may have lost any queue
        leaver_login text;
BEGIN
    IF TG_TABLE_NAME = 'queue_member' THEN
        leaver := OLD.agent_id;
        lost_queue := OLD.queue_id;
    ELSIF TG_TABLE_NAME = 'queue' THEN
        leaver := OLD.team_lead_id;
        lost_queue := OLD.id;
    ELSE
        leaver := OLD.id;
    END IF;
    SELECT a.db_login INTO leaver_login FROM agent a WHERE a.id = leaver;
    IF leaver_login IS NULL OR lost_queue IS NOT NULL AND works_queue(leaver, lost_queue) THEN
        RETURN NULL;  -- they still work the queue (given back in the same transaction, or an admin)
    END IF;
    -- Their sessions in a transaction first (waiting up to 2 s each for them to go): their locks go with
    -- them, so a lock of theirs on one of their tickets cannot make this change wait and fail.
    PERFORM pg_stat_clear_snapshot();  -- the sessions as they are now, not as this transaction first saw them
    PERFORM pg_terminate_backend(s.pid, 2000) FROM pg_stat_activity s
    WHERE s.usename = leaver_login AND s.pid <> pg_backend_pid() AND s.xact_start IS NOT NULL
      AND s.datname = current_database();
    -- Their open tickets in queues they no longer work, those no one else holds locked right now: a
    -- colleague's lock must not make the change wait and fail either (such a ticket stays assigned, and
    -- unseen by its assignee, until it is next assigned).
    PERFORM set_config('switchboard.action', 'release', true);
    UPDATE ticket t SET assignee_id = NULL, version = t.version + 1, updated_at = now()
    WHERE t.id IN (
        SELECT x.id FROM ticket x
        WHERE x.assignee_id = leaver AND x.merged_into_id IS NULL
          AND (lost_queue IS NULL OR x.queue_id = lost_queue)
          AND x.status IN (SELECT s.key FROM ticket_status s WHERE s.category <> 'done')
          AND NOT works_queue(leaver, x.queue_id)
        FOR UPDATE SKIP LOCKED);
    PERFORM set_config('switchboard.action', '', true);
    RETURN NULL;
END $fn$
