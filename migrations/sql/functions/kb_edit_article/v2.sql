-- kb_edit_article, version 2, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Version 2: the article is read and checked before it is locked (`kb_lock_article()`): a colleague's call
-- on the id of an author's draft being edited waited for its lock, where an id of no article was refused at
-- once. Everything else as version 1, whose notes follow.
-- Editors edit any article; an author edits their own draft and nothing else. An article the caller may
-- not read is "no article" (never its title or version); a stale expected version is refused
-- (serialization_failure) and nothing is saved. Each edit raises the version once; the history trigger
-- keeps the new version with its author.
CREATE OR REPLACE FUNCTION {{schema}}.kb_edit_article(
    p_article_id bigint, p_expected_version integer, p_title text, p_body text, p_body_html text,
    p_tags text[], p_category_id bigint, p_visibility text)
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
    IF (editor OR (found_article.author_id = me AND found_article.state = 'draft')) IS NOT TRUE THEN
        RAISE EXCEPTION 'only editors change published or archived articles, and only their author a draft'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_expected_version IS NULL OR found_article.version <> p_expected_version THEN
        RAISE EXCEPTION 'article % changed since version % (it is at %)', p_article_id, p_expected_version,
            found_article.version USING ERRCODE = 'serialization_failure';
    END IF;
    IF (length(btrim(coalesce(p_title, ''))) > 0) IS NOT TRUE THEN
        RAISE EXCEPTION 'an article needs a title' USING ERRCODE = 'check_violation';
    END IF;
    IF p_category_id IS NOT NULL AND NOT EXISTS (SELECT FROM knowledge_category c WHERE c.id = p_category_id) THEN
        RAISE EXCEPTION 'no category %', p_category_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    UPDATE knowledge_article a
    SET title = btrim(p_title), body = coalesce(p_body, ''), body_html = p_body_html, tags = coalesce(p_tags, '{}'),
        category_id = p_category_id, visibility = coalesce(p_visibility, a.visibility), version = a.version + 1,
        updated_at = now(), updated_by_id = me
    WHERE a.id = p_article_id;
    RETURN found_article.version + 1;
END $fn$
