-- disable_user, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.disable_user(p_login text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF p_login = current_login() THEN
                    RAISE EXCEPTION 'you cannot disable yourself' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                UPDATE agent SET is_active = false WHERE db_login = p_login;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
            END $fn$
