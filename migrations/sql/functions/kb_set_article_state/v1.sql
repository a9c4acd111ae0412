-- kb_set_article_state, version 1, applied by migration 0018_knowledge_base. Released files never change (migrations/sql/README.md).
-- Publishing, archiving and taking back to draft are an editor's: an agent can write a draft but never
-- make it what every colleague reads. Same rules for invisible articles and stale versions as editing.
CREATE OR REPLACE FUNCTION {{schema}}.kb_set_article_state(
    p_article_id bigint, p_expected_version integer, p_state text)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := current_agent_id();
    editor boolean := kb_is_editor();
    found_article knowledge_article;
BEGIN
    IF me IS NULL AND is_trusted_session() IS NOT TRUE THEN
        RAISE EXCEPTION 'the login % is not an active Switchboard agent', current_login()
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO found_article FROM knowledge_article a WHERE a.id = p_article_id FOR UPDATE;
    IF (found_article.id IS NOT NULL
        AND (editor OR found_article.state = 'published' OR found_article.author_id = me)) IS NOT TRUE THEN
        RAISE EXCEPTION 'no article % for you', p_article_id USING ERRCODE = 'no_data_found';
    END IF;
    IF editor IS NOT TRUE THEN
        RAISE EXCEPTION 'only knowledge base editors publish or archive articles'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (p_state IN ('draft', 'published', 'archived')) IS NOT TRUE THEN
        RAISE EXCEPTION 'an article is draft, published or archived, not %', p_state USING ERRCODE = 'check_violation';
    END IF;
    IF p_expected_version IS NULL OR found_article.version <> p_expected_version THEN
        RAISE EXCEPTION 'article % changed since version % (it is at %)', p_article_id, p_expected_version,
            found_article.version USING ERRCODE = 'serialization_failure';
    END IF;
    IF found_article.state = p_state THEN
        RETURN found_article.version;
    END IF;
    UPDATE knowledge_article a
    SET state = p_state, version = a.version + 1, updated_at = now(), updated_by_id = me,
        published_at = CASE WHEN p_state = 'published' THEN now() ELSE a.published_at END
    WHERE a.id = p_article_id;
    RETURN found_article.version + 1;
END $fn$
