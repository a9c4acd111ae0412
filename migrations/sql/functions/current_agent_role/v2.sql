-- current_agent_role, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.current_agent_role()
    RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT CASE WHEN coalesce(current_setting('switchboard.acting_login', true), '') = ''
                             AND is_trusted_session() THEN 'admin'
                        ELSE (SELECT role FROM agent WHERE db_login = (SELECT current_login())::text AND is_active)
                   END $fn$
