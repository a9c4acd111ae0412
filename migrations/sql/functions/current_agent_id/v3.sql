-- current_agent_id, version 3, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Inlinable (SQL, SECURITY INVOKER, no SET, no operator looked up through search_path, the one function
-- schema-qualified): the planner replaces the call with its body, so only session_identity() runs.
CREATE OR REPLACE FUNCTION {{schema}}.current_agent_id()
    RETURNS bigint LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_identity()).agent_id $fn$
