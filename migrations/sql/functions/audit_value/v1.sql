-- audit_value, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.audit_value(field text, value jsonb)
    RETURNS jsonb LANGUAGE sql IMMUTABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT CASE WHEN field = 'priority' AND jsonb_typeof(value) = 'number'
                        THEN to_jsonb((ARRAY['low', 'normal', 'high', 'urgent'])[(value #>> '{}')::int + 1])
                        ELSE value END $fn$
