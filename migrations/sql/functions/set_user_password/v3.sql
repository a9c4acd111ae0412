-- set_user_password, version 3, applied by migration 0050_probe_fixes_7. Released files never change (migrations/sql/README.md).
-- Version 3: a password set is audited (who set whose; never the verifier). It was the one change of a
-- person an admin made without a trace: an admin could take over a colleague's login (another admin's
-- too), read their private saved views and act in their name, and the audit named the victim for all of
-- it. Everything else as version 2: an admin sets a plain login's SCRAM verifier, never a password.
CREATE OR REPLACE FUNCTION {{schema}}.set_user_password(p_login text, p_verifier text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    PERFORM require_role(ARRAY['admin']);
    PERFORM check_plain_login(p_login);
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'only a SCRAM verifier is accepted, never a password'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, action, field, new_value)
    SELECT who.agent_id, who.login, 'agent', coalesce((SELECT a.id FROM agent a WHERE a.db_login = p_login), 0),
           'update', 'password', jsonb_build_object('db_login', p_login, 'password', 'set')
    FROM session_who() who;
END $fn$
