-- guard_customer, version 1, applied by migration 0045_probe_fixes_2. Released files never change (migrations/sql/README.md).
-- A customer that staff create is created now: the row's time is the transaction's, whatever the writer
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
        RETURN NEW;
    END $fn$
