-- kb_refuse_history_change, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- An article's history is append-only for everyone, the superuser included (unless they drop the trigger).
CREATE OR REPLACE FUNCTION {{schema}}.kb_refuse_history_change()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION 'an article''s history is append-only' USING ERRCODE = 'insufficient_privilege';
END $fn$
