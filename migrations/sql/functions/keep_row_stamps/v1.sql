-- keep_row_stamps, version 1, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- When a configuration row was made and last changed, and its version, are the database's, not the
-- writer's: a team lead inserted a canned response made in 1901 and last changed in 2999, then moved its
-- last change to 1950, and the audit left the update out (audit_config() leaves bookkeeping columns out,
-- trusting them to be bookkeeping); an admin did the same to a policy's and a calendar's version. A row
-- trigger, BEFORE INSERT OR UPDATE, on the tables staff write directly (canned responses, organisations,
-- SLA policies, business calendars): on insert created_at and updated_at are now and the version 1; on
-- update created_at stays, updated_at is now and the version one more than before, whatever was sent.
-- A column the table lacks is left alone. Trusted sessions (migrations, the worker, the demo's loader,
-- which back-dates its history) keep what they wrote.
CREATE OR REPLACE FUNCTION {{schema}}.keep_row_stamps()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    columns jsonb := to_jsonb(NEW);
    stamps jsonb := '{}';
BEGIN
    IF is_trusted_session() THEN
        RETURN NEW;
    END IF;
    IF columns ? 'created_at' THEN
        stamps := stamps || jsonb_build_object('created_at', CASE WHEN TG_OP = 'INSERT' THEN to_jsonb(now())
                                                                   ELSE to_jsonb(OLD) -> 'created_at' END);
    END IF;
    IF columns ? 'updated_at' THEN
        stamps := stamps || jsonb_build_object('updated_at', now());
    END IF;
    IF columns ? 'version' THEN
        stamps := stamps || jsonb_build_object('version', CASE WHEN TG_OP = 'INSERT' THEN 1
                                                                ELSE (to_jsonb(OLD) ->> 'version')::integer + 1 END);
    END IF;
    RETURN jsonb_populate_record(NEW, stamps);
END $fn$
