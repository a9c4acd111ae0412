-- refuse_audit_change, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.refuse_audit_change()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
            END $fn$
