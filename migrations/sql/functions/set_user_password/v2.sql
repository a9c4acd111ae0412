-- set_user_password, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
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
            END $fn$
