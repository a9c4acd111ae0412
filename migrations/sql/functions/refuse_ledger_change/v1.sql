-- refuse_ledger_change, version 1, applied by migration 0014_sla. Released files never change (migrations/sql/README.md).
-- The SLA ledger is append-only, for every writer: a due time is explained by what happened, and what
-- happened does not change (a correction is a new row, a recompute mark with its reason).
CREATE OR REPLACE FUNCTION {{schema}}.refuse_ledger_change()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        RAISE EXCEPTION 'the SLA ledger is append-only' USING ERRCODE = 'insufficient_privilege';
    END $fn$
