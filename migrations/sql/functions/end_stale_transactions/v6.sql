-- end_stale_transactions, version 6, applied by migration 0052_probe_fixes_9. Released files never change (migrations/sql/README.md).
-- Version 6: a session waiting for a lock is left out of the count only when a session of another login holds
-- that lock (a colleague waiting on a holder, as version 5 meant). A probe holding a queue's tickets FOR SHARE
-- made that session wait on a table lock its own second session held: version 5 never counted it, and its
-- hold lasted until the two-minute rule (restarted every 100 s: indefinitely, never named in the log).
-- Everything else as version 5, whose notes follow.
-- Version 5: a login holding locks is ended when found so at three runs in a row, as before, or at four of its
-- last eight (`stale_lock_sample.seen` keeps them as bits). Version 4 forgot a login at the first run that
-- found it holding nothing, so a probe holding a queue's tickets (FOR SHARE) 90 s of every 120, timed to be
-- between transactions when the job ran every other minute, was never ended: colleagues' updates of the
-- queue failed two times in three, "get next" found nothing, and the change log's horizon waited for it.
-- Its runs stay counted after it is ended (version 4 wiped them: a login back at once started afresh), and
-- a session waiting for another's lock is not counted as holding (the colleague a holder blocks held a row
-- lock too while waiting, and was counted toward being ended with the holder).
-- Everything else as version 4, whose notes follow.
-- Version 4: a staff session holding advisory locks is ended when it holds them outside a transaction
-- for p_idle_seconds (the client takes one only inside a short transaction: `agent_preference_bounded()`),
-- or holds more than 1,000 of them whatever its state. One agent's session-level advisory locks (they
-- outlive the statement that failed taking them) filled the server's shared lock table: every statement
-- on the server failed "out of shared memory", new connections too, until the session closed. Migration
-- 0048 takes the functions from PUBLIC where it runs as a superuser; this is for the servers where it
-- could not. Everything else as version 3, whose notes follow.
-- Version 3: a transaction that holds only a snapshot is ended too: `BEGIN ISOLATION LEVEL REPEATABLE
-- READ; SELECT count(*) FROM ticket;`, then nothing, took no transaction id and no strong lock, so version 2
-- never ended it, and it held back vacuum on every table (presence, claims, the change log's trims) and a
-- DBA's upgrade for as long as the agent liked. Now a staff session idle in its transaction is ended after
-- p_idle_seconds when it holds a transaction id or a strong lock and after five times that whatever it holds
-- (ten minutes at the worker's two: the search index's reads pause inside theirs while the index commits), and one that holds a snapshot
-- while running after 30 minutes (a statement of the client's lasts a minute at most; a search index's
-- rebuild reads for about one). A staff session holding more than 1 GiB of temporary files is ended,
-- whatever its state: a cursor declared WITH HOLD kept a gigabyte on disk from an idle session with no
-- transaction at all (read from `pg_ls_tmpdir()`, where the migration could grant it; else skipped). While
-- the notification queue is a fifth full, a session stuck writing to its client (a listener that reads
-- nothing) is ended at once and any other untrusted one ten seconds into a transaction (was a minute: the
-- queue filled and refused colleagues' writes for that minute, again and again), staff sessions in the
-- server's other databases included (the queue is the whole server's). Everything else as version 2,
-- whose notes follow.
-- Version 1 ended only transactions holding a transaction id, after 30 minutes open: an agent froze every
-- ticket of their queue (FOR SHARE, then pg_sleep) or every configuration write of the desk (one update of
-- the shared config_version row, then pg_sleep) for 30 minutes at a time, and a table lock that takes no
-- transaction id (LOCK TABLE agent_preference IN EXCLUSIVE MODE) was never ended. Version 2 ends a staff
-- transaction that holds a transaction id or any lock stronger than a reader's once it has been idle for
-- p_idle_seconds or open for p_open_seconds; the worker now passes two minutes for both (the client's
-- transactions last milliseconds), and logs whom it ended. A login found holding such locks at three runs in a
-- row (the worker runs the job every minute; `stale_lock_sample` keeps the count) is ended too, however short
-- each of its transactions: a loop of 100-second transactions kept a queue's tickets and every configuration
-- write locked, and no single one was old enough. And while the notification queue is a fifth full, any
-- session but a trusted one (any login the database lets in) whose transaction is a minute old is ended: a
-- listener sitting in a transaction holds the queue back, and a full queue refuses every announced write.
-- Everything else as version 1, whose notes follow.
-- Ends the sessions of staff logins (members of the agent, supervisor or admin group, never of the owner
-- role: not the worker, migrations or a superuser) whose transaction holds a transaction id and has sat idle
-- for p_idle_seconds or been open for p_open_seconds. Such a transaction holds back the change log's horizon
-- (`change_log_horizon()`): every client's live updates and search index wait for it. The logins'
-- timeouts cannot prevent it, as any session may SET its own; a probe held the desk's horizon from psql.
-- For the worker (trusted sessions only); it runs as the function's owner, who may end those sessions (the
-- migrations' login: a superuser, as `change_log_horizon()` needs too). Returns whom it ended.
CREATE OR REPLACE FUNCTION {{schema}}.end_stale_transactions(p_idle_seconds integer, p_open_seconds integer)
    RETURNS TABLE (login text, pid integer, open_seconds integer) LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE stale record;
        notify_full boolean := pg_notification_queue_usage() > 0.2;
        spilled jsonb := '{}';  -- backend pid -> bytes of temporary files
        holders jsonb;  -- the sessions holding locks now, read once for both uses below (no temp table:
                        -- one made and dropped every minute churns the catalogue)
BEGIN
    IF is_trusted_session() IS NOT TRUE THEN
        RAISE EXCEPTION 'only the worker ends stale transactions' USING ERRCODE = 'insufficient_privilege';
    END IF;
    BEGIN
        SELECT coalesce(jsonb_object_agg(f.backend, f.bytes), '{}') INTO spilled
        FROM (SELECT substring(t.name FROM '^pgsql_tmp([0-9]+)')::integer AS backend, sum(t.size) AS bytes
              FROM pg_ls_tmpdir() t GROUP BY 1) f
        WHERE f.backend IS NOT NULL AND f.bytes > 1073741824;
    EXCEPTION WHEN insufficient_privilege THEN
        spilled := '{}';  -- a migration run by a login that could not grant it: this rule is skipped
    END;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'usename', a.usename, 'backend', a.pid,
               'open_for', extract(epoch FROM now() - a.xact_start)::integer,
               'locks', h.locks,
               'waiting', a.wait_event_type IS NOT DISTINCT FROM 'Lock' AND NOT EXISTS (
                   SELECT FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) AND b.usename = a.usename),
               'stale', (a.state IN ('idle in transaction', 'idle in transaction (aborted)')
                         AND a.state_change < now() - make_interval(secs => CASE WHEN h.locks THEN p_idle_seconds
                                                                             ELSE 5 * p_idle_seconds END)
                         OR h.locks AND a.xact_start < now() - make_interval(secs => p_open_seconds)
                         OR a.xact_start < now() - interval '30 minutes'))), '[]')
    INTO holders
    FROM pg_stat_activity a
    CROSS JOIN LATERAL (SELECT a.backend_xid IS NOT NULL OR EXISTS (  -- a lock that takes no transaction id blocks as well
          SELECT FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.mode <> 'AccessShareLock'
                                   AND l.locktype IN ('relation', 'tuple', 'object', 'page', 'extend')) AS locks) h
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
      AND (h.locks OR a.backend_xmin IS NOT NULL
           OR a.state IN ('idle in transaction', 'idle in transaction (aborted)'))
      AND (pg_has_role(a.usename, {{agent_role:literal}}, 'MEMBER')
           OR pg_has_role(a.usename, {{supervisor_role:literal}}, 'MEMBER')
           OR pg_has_role(a.usename, {{admin_role:literal}}, 'MEMBER'))
      AND NOT pg_has_role(a.usename, {{owner_role:literal}}, 'MEMBER');
    -- Each login's last eight runs as bits, this run's the lowest: 1 where it was found holding such locks (a
    -- gap of more than 150 s between runs starts over; a login with none of the eight is forgotten).
    UPDATE stale_lock_sample s
    SET seen = CASE WHEN s.last_seen > now() - interval '150 seconds' THEN (s.seen << 1) & 255 ELSE 0 END,
        last_seen = now();
    INSERT INTO stale_lock_sample (login, seen, last_seen)
    SELECT DISTINCT h.usename, 1, now() FROM jsonb_to_recordset(holders) AS h(usename text, locks boolean, waiting boolean)
    WHERE h.locks AND NOT h.waiting
    ON CONFLICT ON CONSTRAINT pk_stale_lock_sample DO UPDATE SET seen = stale_lock_sample.seen | 1, last_seen = now();
    DELETE FROM stale_lock_sample s WHERE s.seen = 0;
    FOR stale IN
        SELECT h.usename, h.backend, h.open_for
        FROM jsonb_to_recordset(holders) AS h(usename text, backend integer, open_for integer, stale boolean,
                                                 locks boolean, waiting boolean)
        WHERE h.stale OR h.locks AND NOT h.waiting AND EXISTS (SELECT FROM stale_lock_sample s WHERE s.login = h.usename
                                             AND (s.seen & 7 = 7 OR bit_count(s.seen::bit(8)) >= 4))
        UNION
        SELECT a.usename::text, a.pid, extract(epoch FROM now() - a.xact_start)::integer
        FROM pg_stat_activity a
        WHERE notify_full AND a.pid <> pg_backend_pid()
          AND (a.wait_event = 'ClientWrite' AND a.xact_start IS NOT NULL
               OR a.xact_start < now() - interval '10 seconds')
          AND (a.datname = current_database()
               OR pg_has_role(a.usename, {{agent_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{supervisor_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{admin_role:literal}}, 'MEMBER'))
          AND a.backend_type = 'client backend'
          AND NOT pg_has_role(a.usename, {{owner_role:literal}}, 'MEMBER')
          AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = a.usename), false)
        UNION
        SELECT a.usename::text, a.pid, coalesce(extract(epoch FROM now() - a.xact_start)::integer, 0)
        FROM pg_stat_activity a
        WHERE spilled ? a.pid::text AND a.datname = current_database() AND a.pid <> pg_backend_pid()
          AND (pg_has_role(a.usename, {{agent_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{supervisor_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{admin_role:literal}}, 'MEMBER'))
          AND NOT pg_has_role(a.usename, {{owner_role:literal}}, 'MEMBER')
        UNION
        SELECT a.usename::text, a.pid, coalesce(extract(epoch FROM now() - a.xact_start)::integer, 0)
        FROM pg_stat_activity a
        CROSS JOIN LATERAL (SELECT count(*) AS held FROM pg_locks l
                            WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted) advisory
        WHERE advisory.held > 0 AND a.datname = current_database() AND a.pid <> pg_backend_pid()
          AND (a.xact_start IS NULL AND a.state_change < now() - make_interval(secs => p_idle_seconds)
               OR advisory.held > 1000)
          AND (pg_has_role(a.usename, {{agent_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{supervisor_role:literal}}, 'MEMBER')
               OR pg_has_role(a.usename, {{admin_role:literal}}, 'MEMBER'))
          AND NOT pg_has_role(a.usename, {{owner_role:literal}}, 'MEMBER')
    LOOP
        IF pg_terminate_backend(stale.backend) THEN
            login := stale.usename;
            pid := stale.backend;
            open_seconds := stale.open_for;
            RETURN NEXT;
        END IF;
    END LOOP;
END $fn$
