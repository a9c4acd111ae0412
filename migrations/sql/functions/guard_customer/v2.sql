-- guard_customer, version 2, applied by migration 0046_probe_fixes_3. Released files never change (migrations/sql/README.md).
-- Version 1 let staff create a customer in any organisation and with any language: the client creates one by
-- name alone, and an agent planted a customer in a VIP's organisation (SLA policies may match organisations)
-- with an address the real customer's mail would later land on. A customer staff create has no organisation
-- and no language unless an admin gives them; trusted sessions keep what they bring. Everything else as
-- version 1, whose notes follow.
-- (v1) A customer that staff create is created now: the row's time is the transaction's, whatever the writer
-- sent (an agent stored -infinity, which no client reads, or a date years ahead). `customer_is_new()`
-- relies on it: a customer is new to a transaction only if it was created at the transaction's start
-- time — a row merely written by the transaction (an account link's UPDATE, even one that changes nothing)
-- is not. Trusted sessions (intake, the demo loader, an import) keep the time they bring.
CREATE OR REPLACE FUNCTION {{schema}}.guard_customer()
    RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        IF is_privileged_writer() THEN
            RETURN NEW;
        END IF;
        NEW.created_at := now();
        IF is_admin() IS NOT TRUE THEN
            NEW.organisation_id := NULL;
            NEW.language := NULL;
        END IF;
        RETURN NEW;
    END $fn$
