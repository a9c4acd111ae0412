-- create_queue, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.create_queue(p_name text, p_description text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE created bigint;
            BEGIN
                PERFORM require_role(ARRAY['admin']);
                INSERT INTO queue (name, description) VALUES (p_name, coalesce(p_description, ''))
                RETURNING id INTO created;
                RETURN created;
            END $fn$
