-- set_user_password, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.set_user_password(p_login text, p_verifier text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                IF NOT EXISTS (SELECT FROM agent WHERE db_login = p_login) THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
            END $fn$
