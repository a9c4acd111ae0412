-- current_agent_role, version 4, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- Inlinable (SQL, SECURITY INVOKER, no SET, no operator looked up through search_path, the one function
-- schema-qualified): the planner replaces the call with its body, so only session_who() runs: the identity
-- without the queue arrays, a third of session_identity()'s cost (issue 12).
CREATE OR REPLACE FUNCTION {{schema}}.current_agent_role()
    RETURNS text LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_who()).agent_role $fn$
