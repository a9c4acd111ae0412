-- led_queue_ids, version 2, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Inlinable (SQL, SECURITY INVOKER, no SET, no operator looked up through search_path, the one function
-- schema-qualified): the planner replaces the call with its body, so only session_identity() runs.
-- Supervisor powers reach the queues a supervisor leads; an admin's reach every queue.
CREATE OR REPLACE FUNCTION {{schema}}.led_queue_ids()
    RETURNS bigint[] LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_identity()).led_queue_ids $fn$
