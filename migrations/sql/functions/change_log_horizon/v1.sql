-- change_log_horizon, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.change_log_horizon()
    RETURNS bigint LANGUAGE sql STABLE SECURITY INVOKER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint $fn$
