-- disable_user, version 3, applied by migration 0042_disable_waits. Released files never change (migrations/sql/README.md).
-- Disabling ends what the user has: the agent row, the group, the login, and the open sessions — and now
-- waits (up to 2 s a session) until those sessions are gone. Version 2 only signalled them: for a moment
-- after it returned, the user's client could still find an idle pooled connection that looked healthy (the
-- server had not yet said goodbye on it) and have its next statement cut off with "terminating connection
-- due to administrator command" instead of being refused at sign-in with a clear message. While it waits,
-- this transaction has not committed, so the login may still sign in: a session that did is ended too, from a
-- fresh look at the sessions (pg_stat_activity is otherwise one snapshot per transaction), without waiting.
-- One that starts after that and before the commit keeps running with no group (it reads nothing), as with
-- version 2. A session that does not end within the wait is still signalled; pg_terminate_backend() warns.
CREATE OR REPLACE FUNCTION {{schema}}.disable_user(p_login text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE grp name;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF p_login = current_login() THEN
                    RAISE EXCEPTION 'you cannot disable yourself' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                PERFORM check_plain_login(p_login);
                UPDATE agent SET is_active = false WHERE db_login = p_login;
                FOREACH grp IN ARRAY ARRAY[{{agent_role:literal}}, {{supervisor_role:literal}}, {{admin_role:literal}}]::name[] LOOP
                    IF pg_has_role(p_login, grp, 'MEMBER') THEN
                        EXECUTE format('REVOKE %I FROM %I', grp, p_login);
                    END IF;
                END LOOP;
                EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
                PERFORM pg_terminate_backend(pid, 2000) FROM pg_stat_activity WHERE usename = p_login;
                PERFORM pg_stat_clear_snapshot();
                PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_login;
            END $fn$
