-- visible_queue_ids, version 3, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Inlinable (SQL, SECURITY INVOKER, no SET, no operator looked up through search_path, the one function
-- schema-qualified): the planner replaces the call with its body, so only session_identity() runs.
-- Agents see the queues they belong to; supervisors also the queues they lead; admins all.
CREATE OR REPLACE FUNCTION {{schema}}.visible_queue_ids()
    RETURNS bigint[] LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_identity()).visible_queue_ids $fn$
