-- current_login, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- Who is acting. A trusted session (a superuser, or a member of the owner role: migrations, the
-- worker, the test suite) may act for an agent by setting switchboard.acting_login for its
-- transaction; for everyone else the login they signed in with is who they are.
CREATE OR REPLACE FUNCTION {{schema}}.current_login()
    RETURNS name LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT CASE
                WHEN coalesce(current_setting('switchboard.acting_login', true), '') <> '' AND is_trusted_session()
                THEN current_setting('switchboard.acting_login', true)::name
                ELSE session_user END $fn$
