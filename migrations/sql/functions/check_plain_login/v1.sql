-- check_plain_login, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- User administration acts only on plain logins of this desk: no superuser, no special attributes,
-- no membership beyond this desk's groups (the owner role's members — the worker — included).
CREATE OR REPLACE FUNCTION {{schema}}.check_plain_login(p_login text)
    RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE r pg_roles%ROWTYPE;
            BEGIN
                SELECT * INTO r FROM pg_roles WHERE rolname = p_login;
                IF NOT FOUND OR NOT EXISTS (SELECT FROM agent WHERE db_login = p_login) THEN
                    RAISE EXCEPTION 'no agent with login %', p_login USING ERRCODE = 'no_data_found';
                END IF;
                IF (NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolcreatedb AND NOT r.rolreplication
                    AND NOT r.rolbypassrls
                    AND NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                    WHERE m.member = r.oid AND NOT g.rolname = ANY (ARRAY[{{agent_role:literal}}, {{supervisor_role:literal}}, {{admin_role:literal}}]::name[]))) IS NOT TRUE THEN
                    RAISE EXCEPTION 'the login % is not a plain Switchboard login; its DBA manages it', p_login
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
            END $fn$
