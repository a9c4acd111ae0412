-- current_agent_role, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- The DBA's own session (superuser or owner member, acting for nobody) counts as an admin: it
-- could do anything anyway, and it is how the first admin of a server is made.
CREATE OR REPLACE FUNCTION {{schema}}.current_agent_role()
    RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT CASE WHEN is_trusted_session() AND coalesce(current_setting('switchboard.acting_login', true), '') = ''
                        THEN 'admin'
                        ELSE (SELECT role FROM agent WHERE db_login = current_login() AND is_active) END $fn$
