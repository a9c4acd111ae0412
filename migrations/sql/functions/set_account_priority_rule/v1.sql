-- set_account_priority_rule, version 1, applied by migration 0024_account_rules. Released files never change (migrations/sql/README.md).
-- An account priority rule (issue 16: "a VIP tier raises priority"): a new ticket whose customer's cached
-- account meets every condition gets at least the rule's priority on intake. Admins only (a trusted
-- session acting for nobody too); the rule is added, or changed by name (its version goes up); a rule is
-- retired, never deleted. What is stored is checked here, since every intake reads it: conditions are a
-- non-empty object of `account.NAME` keys (NAME in lower-case letters, digits, '_', '-', '.') each with a
-- text value or a non-empty array of them, at most 20 keys and 4 KB; priority 0 (low) to 3 (urgent);
-- position 0 to 100000; the name 1 to 100 characters.
CREATE OR REPLACE FUNCTION {{schema}}.set_account_priority_rule(
    p_name text, p_conditions jsonb, p_priority integer, p_position integer, p_active boolean)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['admin']);
            saved integer;
    BEGIN
        IF (length(btrim(p_name)) BETWEEN 1 AND 100) IS NOT TRUE THEN
            RAISE EXCEPTION 'a rule''s name is 1 to 100 characters' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (jsonb_typeof(p_conditions) = 'object'
            AND (SELECT count(*) FROM jsonb_object_keys(p_conditions)) BETWEEN 1 AND 20
            AND octet_length(p_conditions::text) <= 4096
            AND NOT EXISTS (
                SELECT FROM jsonb_each(p_conditions) c
                WHERE (c.key ~ '^account\.[a-z0-9_.-]{1,64}$') IS NOT TRUE
                   OR (CASE jsonb_typeof(c.value)
                           WHEN 'string' THEN length(btrim(c.value #>> '{}')) > 0
                           WHEN 'array' THEN jsonb_array_length(c.value) > 0 AND NOT EXISTS (
                               SELECT FROM jsonb_array_elements(c.value) v
                               WHERE jsonb_typeof(v) IS DISTINCT FROM 'string' OR length(btrim(v #>> '{}')) = 0)
                           ELSE false END) IS NOT TRUE)) IS NOT TRUE THEN
            RAISE EXCEPTION 'a rule''s conditions are account.NAME -> a value or a list of values (1 to 20)'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (p_priority BETWEEN 0 AND 3) IS NOT TRUE OR (p_position BETWEEN 0 AND 100000) IS NOT TRUE THEN
            RAISE EXCEPTION 'a rule''s priority is 0 to 3 and its position 0 to 100000'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE account_priority_rule
           SET conditions = p_conditions, priority = p_priority, position = p_position,
               is_active = coalesce(p_active, true), version = version + 1, updated_by = me, updated_at = now()
         WHERE name = btrim(p_name) RETURNING version INTO saved;
        IF NOT FOUND THEN
            INSERT INTO account_priority_rule (name, conditions, priority, position, is_active, updated_by)
            VALUES (btrim(p_name), p_conditions, p_priority, p_position, coalesce(p_active, true), me)
            RETURNING version INTO saved;
        END IF;
        RETURN saved;
    END $fn$
