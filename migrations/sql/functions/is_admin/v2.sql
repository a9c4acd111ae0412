-- is_admin, version 2, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Inlinable (SQL, SECURITY INVOKER, no SET, no operator looked up through search_path, the one function
-- schema-qualified): the planner replaces the call with its body, so only session_identity() runs.
CREATE OR REPLACE FUNCTION {{schema}}.is_admin()
    RETURNS boolean LANGUAGE sql STABLE
AS $fn$ SELECT coalesce(({{schema}}.session_identity()).agent_role OPERATOR(pg_catalog.=) 'admin', false) $fn$
