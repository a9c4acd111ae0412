-- kb_lock_article, version 1, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- The start of every change of a knowledge article (kb_edit_article(), kb_set_article_state(),
-- kb_attach_file()): the article as the caller may read it — an editor any, anyone a published one, an
-- author their own — locked for the change, or "no article N for you". Read, checked, then locked and
-- checked again: those functions locked first and asked after, so while an author edited a draft of theirs,
-- a colleague's call on its id waited for the lock (and timed out) where an id of no article was refused at
-- once, which told the colleague the invisible draft existed and was being edited.
CREATE OR REPLACE FUNCTION {{schema}}.kb_lock_article(p_article_id bigint)
    RETURNS {{schema}}.knowledge_article LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := current_agent_id();
    editor boolean := kb_is_editor();
    found_article knowledge_article;
BEGIN
    SELECT * INTO found_article FROM knowledge_article a WHERE a.id = p_article_id;
    IF (found_article.id IS NOT NULL
        AND (editor OR found_article.state = 'published' OR found_article.author_id = me)) IS TRUE THEN
        SELECT * INTO found_article FROM knowledge_article a WHERE a.id = p_article_id FOR UPDATE;
    END IF;
    IF (found_article.id IS NOT NULL
        AND (editor OR found_article.state = 'published' OR found_article.author_id = me)) IS NOT TRUE THEN
        RAISE EXCEPTION 'no article % for you', p_article_id USING ERRCODE = 'no_data_found';
    END IF;
    RETURN found_article;
END $fn$
