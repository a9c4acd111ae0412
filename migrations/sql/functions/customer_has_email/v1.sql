-- customer_has_email, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.customer_has_email(p_customer bigint)
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT EXISTS (SELECT FROM customer_email WHERE customer_id = p_customer) $fn$
