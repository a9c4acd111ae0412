-- account_cache_purge, version 2, applied by migration 0052_probe_fixes_9. Released files never change (migrations/sql/README.md).
-- Version 2: rows another transaction holds are left for the next run (SKIP LOCKED): an agent's transaction
-- holding an expired row (`account_claim()` on it, then nothing) made the worker's cleanup wait out its lock
-- timeout and fail, every run. Everything else as version 1, whose notes follow.
-- The worker's clean-up of the team's account cache (issue 16): answers expired longer ago than the bound,
-- and keys never answered whose last claim or failure is that old, are removed (an expired answer is still
-- shown, marked stale, until then). A key whose refresh is under way is kept. Only a trusted session (the
-- worker's login, a member of the owner role) may call it: staff have no EXECUTE. Two workers calling it at
-- once delete each row once (the second finds it gone); the job is claimed per period anyway (job_run).
CREATE OR REPLACE FUNCTION {{schema}}.account_cache_purge(p_older_than interval)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE removed integer;
    BEGIN
        IF is_trusted_session() IS NOT TRUE THEN
            RAISE EXCEPTION 'only the worker cleans the account cache' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (p_older_than >= interval '1 hour') IS NOT TRUE THEN
            RAISE EXCEPTION 'the bound is at least an hour' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        DELETE FROM account_cache c
         WHERE c.ctid = ANY (ARRAY(
                   SELECT o.ctid FROM account_cache o
                    WHERE coalesce(o.expires_at, o.failed_at, o.refreshing_until) < now() - p_older_than
                      AND (o.refreshing_until IS NULL OR o.refreshing_until < now())
                      FOR UPDATE SKIP LOCKED));
        GET DIAGNOSTICS removed = ROW_COUNT;
        RETURN removed;
    END $fn$
