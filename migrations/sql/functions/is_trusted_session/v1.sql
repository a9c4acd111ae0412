-- is_trusted_session, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.is_trusted_session()
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
                   OR pg_has_role(session_user, {{owner_role:literal}}, 'MEMBER') $fn$
