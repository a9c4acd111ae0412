-- is_privileged_writer, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Writes our own definer functions make run as the owner role; the DBA's and the worker's sessions
-- are trusted. Everything else is a login's own SQL and goes through the guards. SECURITY INVOKER:
-- current_user must be the caller's, not ours.
CREATE OR REPLACE FUNCTION {{schema}}.is_privileged_writer()
    RETURNS boolean LANGUAGE sql STABLE SECURITY INVOKER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT current_user = {{owner_role:literal}}::name OR is_trusted_session() $fn$
