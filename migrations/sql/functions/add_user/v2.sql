-- add_user, version 2, applied by migration 0047_probe_fixes_4. Released files never change (migrations/sql/README.md).
-- Version 2: the login connects at most 30 times at once (a client uses up to 17: its pool, the live
-- updates' listener, search): one agent opening connections in a loop took every slot the server had, and
-- colleagues, admins and the worker were refused until the DBA stepped in. Everything else as version 1,
-- whose notes follow.
-- Only a password verifier (SCRAM) arrives here, computed by the client: the plain password never
-- reaches the server, its statement log or pg_stat_activity. NULL: no password (peer, GSSAPI).
CREATE OR REPLACE FUNCTION {{schema}}.add_user(p_login text, p_display_name text, p_email text, p_role text, p_verifier text, p_queues bigint[])
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE created bigint; groups jsonb := jsonb_build_object('agent', {{agent_role:literal}}, 'supervisor', {{supervisor_role:literal}},
                                   'admin', {{admin_role:literal}});
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT groups ? p_role THEN
                    RAISE EXCEPTION 'unknown role %; use agent, supervisor or admin', p_role
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = p_login) THEN
                    RAISE EXCEPTION 'a database login named % exists already', p_login
                        USING ERRCODE = 'duplicate_object';
                END IF;
                EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
                               ' CONNECTION LIMIT 30 IN ROLE %I', p_login, groups ->> p_role);
                IF p_verifier IS NOT NULL THEN
                    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
                END IF;
                EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_login, '60s');
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_login, '5min');
                EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', p_login, '10s');
                INSERT INTO agent (display_name, email, db_login, role, languages, capacity, availability, is_active)
                VALUES (p_display_name, p_email, p_login, p_role, '{}', 20, 'offline', true)
                ON CONFLICT (db_login) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
                                                     is_active = true
                RETURNING id INTO created;
                INSERT INTO queue_member (queue_id, agent_id) SELECT unnest(p_queues), created ON CONFLICT DO NOTHING;
                RETURN created;
            END $fn$
