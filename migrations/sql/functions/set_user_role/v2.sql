-- set_user_role, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.set_user_role(p_login text, p_role text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE groups jsonb := jsonb_build_object('agent', {{agent_role:literal}}, 'supervisor', {{supervisor_role:literal}},
                                                       'admin', {{admin_role:literal}});
                    previous text;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF (groups ? p_role) IS NOT TRUE THEN
                    RAISE EXCEPTION 'unknown role %', p_role USING ERRCODE = 'invalid_parameter_value';
                END IF;
                PERFORM check_plain_login(p_login);
                SELECT role INTO previous FROM agent WHERE db_login = p_login;
                EXECUTE format('REVOKE %I FROM %I', groups ->> previous, p_login);
                EXECUTE format('GRANT %I TO %I', groups ->> p_role, p_login);
                UPDATE agent SET role = p_role WHERE db_login = p_login;
            END $fn$
