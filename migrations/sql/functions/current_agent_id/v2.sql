-- current_agent_id, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- The identity functions run in every policy check: look the agent up once, by its unique login
-- (`(SELECT current_login())::text` is evaluated once and can use the index; a bare call compared
-- with the varchar column ran once per agent row, 0.3 ms a call).
CREATE OR REPLACE FUNCTION {{schema}}.current_agent_id()
    RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT id FROM agent WHERE db_login = (SELECT current_login())::text AND is_active $fn$
