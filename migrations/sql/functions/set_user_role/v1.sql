-- set_user_role, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.set_user_role(p_login text, p_role text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE groups jsonb := jsonb_build_object('agent', {{agent_role:literal}}, 'supervisor', {{supervisor_role:literal}},
                                   'admin', {{admin_role:literal}}); previous text;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT groups ? p_role THEN
                    RAISE EXCEPTION 'unknown role %', p_role USING ERRCODE = 'invalid_parameter_value';
                END IF;
                SELECT role INTO previous FROM agent WHERE db_login = p_login;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('REVOKE %I FROM %I', groups ->> previous, p_login);
                EXECUTE format('GRANT %I TO %I', groups ->> p_role, p_login);
                UPDATE agent SET role = p_role WHERE db_login = p_login;
            END $fn$
