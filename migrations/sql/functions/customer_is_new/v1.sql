-- customer_is_new, version 1, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- Whether the customer was created by the calling transaction (with the ticket being opened): staff give an
-- address only to such a customer (`customer_email_create`); an admin to anyone. Before, any customer
-- without an address would do, of any queue — a phone or chat customer's replies redirected to an address
-- of the agent's choosing. Created here: the row's version is this transaction's (`written_here()`) and its
-- creation time is this transaction's start (`guard_customer()` sets it for staff), so a row the transaction
-- merely updated (an account link, even one that changes nothing) is not new. SECURITY DEFINER for
-- `written_here()`, which only definer functions call.
CREATE OR REPLACE FUNCTION {{schema}}.customer_is_new(p_customer bigint)
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ SELECT (is_active_agent() OR is_trusted_session())
             AND EXISTS (SELECT FROM customer c
                         WHERE c.id = p_customer AND c.created_at = now()
                           AND written_here(c.xmin, pg_snapshot_xmax(pg_current_snapshot())::text::bigint)) $fn$
