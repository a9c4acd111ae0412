-- weekly_hours_fit, version 1, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Whether a business calendar's weekly hours are what the engine reads (`BusinessCalendar`): an object
-- whose keys are weekdays '0' (Monday) to '6', each a list of at most 48 intervals [opens, closes] of whole
-- minutes, 0 <= opens < closes <= 1440, which neither overlap nor touch out of order once sorted. An
-- admin's INSERT of overlapping hours stopped ticket creation and the SLA sweep of every queue its policy
-- covered. Anything else (a text, a fraction, a third number) is false, never an error.
CREATE OR REPLACE FUNCTION {{schema}}.weekly_hours_fit(p_hours jsonb)
    RETURNS boolean LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    day record;
    span jsonb;
    opens integer;
    closes integer;
    last_close integer;
BEGIN
    IF jsonb_typeof(p_hours) IS DISTINCT FROM 'object' THEN
        RETURN false;
    END IF;
    FOR day IN SELECT d.key, d.value FROM jsonb_each(p_hours) d LOOP
        IF day.key !~ '^[0-6]$' OR jsonb_typeof(day.value) <> 'array' OR jsonb_array_length(day.value) > 48 THEN
            RETURN false;
        END IF;
        FOR span IN SELECT i FROM jsonb_array_elements(day.value) i LOOP
            IF jsonb_typeof(span) <> 'array' OR jsonb_array_length(span) <> 2
               OR jsonb_typeof(span -> 0) <> 'number' OR jsonb_typeof(span -> 1) <> 'number'
               OR (span ->> 0) !~ '^[0-9]{1,4}$' OR (span ->> 1) !~ '^[0-9]{1,4}$' THEN
                RETURN false;
            END IF;
        END LOOP;
        last_close := 0;
        FOR opens, closes IN
            SELECT (i ->> 0)::integer, (i ->> 1)::integer FROM jsonb_array_elements(day.value) i ORDER BY 1, 2
        LOOP
            IF (opens < closes AND closes <= 1440 AND opens >= last_close) IS NOT TRUE THEN
                RETURN false;
            END IF;
            last_close := closes;
        END LOOP;
    END LOOP;
    RETURN true;
END $fn$
