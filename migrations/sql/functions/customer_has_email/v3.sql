-- customer_has_email, version 3, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 3 is VOLATILE: a STABLE function does not see the rows its own calling statement has written, so
-- one INSERT of three addresses for a new customer passed the "first address only" check three times (each
-- row asked before the others were counted). A volatile one sees them: the second row of such an INSERT is
-- refused, as a second INSERT is. Everything else as version 2, whose notes follow.
-- Version 2 answers only active staff and trusted sessions (false for anyone else): a login without an
-- active agent row learnt from it which customer ids exist.
CREATE OR REPLACE FUNCTION {{schema}}.customer_has_email(p_customer bigint)
    RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT (is_active_agent() OR is_trusted_session())
             AND EXISTS (SELECT FROM customer_email WHERE customer_id = p_customer) $fn$
