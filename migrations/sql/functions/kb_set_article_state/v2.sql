-- kb_set_article_state, version 2, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Version 2: the article is read and checked before it is locked (`kb_lock_article()`): a colleague's call
-- on the id of an author's draft being edited waited for its lock, where an id of no article was refused at
-- once. Everything else as version 1, whose notes follow.
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
    found_article := kb_lock_article(p_article_id);
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
