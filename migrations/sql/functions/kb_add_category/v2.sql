-- kb_add_category, version 2, applied by migration 0050_probe_fixes_7. Released files never change (migrations/sql/README.md).
-- Version 2: a category is at most eight levels deep ("Billing ▸ Refunds ▸ Cards" is three): a lead added
-- 12,000 nested categories in 3 s, and every colleague's knowledge base, which shows each category's
-- path, took 73 s and 5.7 GB to open. How many categories the desk holds is bounded by the table's
-- trigger (`refuse_beyond_rows()`). Everything else as version 1, whose notes follow.
-- Editors grow the category tree; a node's parent is chosen once, so the tree can hold no cycle.
CREATE OR REPLACE FUNCTION {{schema}}.kb_add_category(p_name text, p_parent_id bigint)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE created bigint;
        depth integer;
BEGIN
    IF kb_is_editor() IS NOT TRUE THEN
        RAISE EXCEPTION 'only knowledge base editors add categories' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM knowledge_category c WHERE c.id = p_parent_id) THEN
        RAISE EXCEPTION 'no category %', p_parent_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    WITH RECURSIVE up (id, parent_id, level) AS (
        SELECT c.id, c.parent_id, 1 FROM knowledge_category c WHERE c.id = p_parent_id
        UNION ALL
        SELECT c.id, c.parent_id, up.level + 1 FROM knowledge_category c JOIN up ON c.id = up.parent_id
        WHERE up.level < 9)
    SELECT coalesce(max(level), 0) INTO depth FROM up;
    IF depth >= 8 THEN
        RAISE EXCEPTION 'a category is at most eight levels deep' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    INSERT INTO knowledge_category (name, parent_id) VALUES (btrim(p_name), p_parent_id)
    RETURNING id INTO created;
    RETURN created;
END $fn$
