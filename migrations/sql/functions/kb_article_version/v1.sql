-- kb_article_version, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- Every version of an article goes into its history, whoever wrote it and however; the author is the
-- session's agent (never the client's word), or the article's last editor for a trusted session.
CREATE OR REPLACE FUNCTION {{schema}}.kb_article_version()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    INSERT INTO knowledge_article_version (article_id, version, title, body, body_html, tags, category_id,
                                           visibility, state, author_id)
    VALUES (NEW.id, NEW.version, NEW.title, NEW.body, NEW.body_html, NEW.tags, NEW.category_id, NEW.visibility,
            NEW.state, coalesce(current_agent_id(), NEW.updated_by_id))
    ON CONFLICT (article_id, version) DO NOTHING;
    RETURN NULL;
END $fn$
