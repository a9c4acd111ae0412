-- is_privileged_writer, version 2, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Writes our own definer functions make run as the owner role; the DBA's and the worker's sessions
-- are trusted (members of the owner role, and superusers, who are members of every role for
-- pg_has_role). Everything else is a login's own SQL and goes through the guards. SECURITY INVOKER:
-- current_user must be the caller's, not ours. Inlinable (SQL, no SET, operators named with their
-- schema): the guards evaluate it per row as two built-in checks, without a function call.
CREATE OR REPLACE FUNCTION {{schema}}.is_privileged_writer()
    RETURNS boolean LANGUAGE sql STABLE
AS $fn$ SELECT current_user OPERATOR(pg_catalog.=) {{owner_role:literal}}::name
              OR pg_catalog.pg_has_role(session_user, {{owner_role:literal}}, 'MEMBER') $fn$
