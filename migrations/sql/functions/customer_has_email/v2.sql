-- customer_has_email, version 2, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Version 2 answers only active staff and trusted sessions (false for anyone else): a login without an
-- active agent row learnt from it which customer ids exist.
CREATE OR REPLACE FUNCTION {{schema}}.customer_has_email(p_customer bigint)
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT (is_active_agent() OR is_trusted_session())
             AND EXISTS (SELECT FROM customer_email WHERE customer_id = p_customer) $fn$
