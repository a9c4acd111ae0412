-- is_active_agent, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.is_active_agent()
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT current_agent_id() IS NOT NULL $fn$
