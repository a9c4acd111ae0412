-- kb_add_category, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- Editors grow the category tree; a node's parent is chosen once, so the tree can hold no cycle.
CREATE OR REPLACE FUNCTION {{schema}}.kb_add_category(p_name text, p_parent_id bigint)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE created bigint;
BEGIN
    IF kb_is_editor() IS NOT TRUE THEN
        RAISE EXCEPTION 'only knowledge base editors add categories' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM knowledge_category c WHERE c.id = p_parent_id) THEN
        RAISE EXCEPTION 'no category %', p_parent_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO knowledge_category (name, parent_id) VALUES (btrim(p_name), p_parent_id)
    RETURNING id INTO created;
    RETURN created;
END $fn$
