-- kb_attach_file, version 3, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Version 3: the article is read and checked before it is locked (`kb_lock_article()`): a colleague's call
-- on the id of an author's draft being edited waited for its lock, where an id of no article was refused at
-- once. Each file attached is audited (who, which article, the file's name,
-- size and address): an editor attached a program to a published article and nothing recorded it but the
-- file's own row. Everything else as version 2, whose notes follow.
-- Version 2: an article holds at most 20 files and 50 MiB of them: an agent attached ten files of 10 MiB to
-- a draft of his in 3.5 s, and nothing limited how many (nor can an author take one off). Everything else
-- as version 1, whose notes follow.
-- An image or file for an article the caller may edit. The database computes the address (sha256) itself
-- and bounds the size; the same bytes are stored once (blob). Returns the address.
CREATE OR REPLACE FUNCTION {{schema}}.kb_attach_file(
    p_article_id bigint, p_filename text, p_media_type text, p_data bytea)
    RETURNS text LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := current_agent_id();
    editor boolean := kb_is_editor();
    found_article knowledge_article;
    address text;
    attached bigint;
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
    IF (octet_length(p_data) BETWEEN 1 AND 10485760) IS NOT TRUE THEN
        RAISE EXCEPTION 'an attached file must hold between 1 byte and 10 MiB' USING ERRCODE = 'check_violation';
    END IF;
    IF (length(btrim(coalesce(p_filename, ''))) BETWEEN 1 AND 255) IS NOT TRUE THEN
        RAISE EXCEPTION 'an attached file needs a name of at most 255 characters' USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT count(*) >= 20 OR coalesce(sum(f.size), 0) + octet_length(p_data) > 52428800
        FROM knowledge_attachment f WHERE f.article_id = p_article_id) THEN
        RAISE EXCEPTION 'an article holds at most 20 files and 50 MiB of them' USING ERRCODE = 'check_violation';
    END IF;
    address := encode(sha256(p_data), 'hex');
    INSERT INTO blob (sha256, size, data) VALUES (address, octet_length(p_data), p_data)
    ON CONFLICT (sha256) DO NOTHING;
    INSERT INTO knowledge_attachment (article_id, blob_sha256, filename, media_type, size, added_by_id)
    VALUES (p_article_id, address, btrim(p_filename), left(coalesce(nullif(btrim(p_media_type), ''),
            'application/octet-stream'), 255), octet_length(p_data), me)
    RETURNING id INTO attached;
    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id, ticket_version,
                             action, field, old_value, new_value)
    SELECT who.agent_id, who.login, 'knowledge_article', p_article_id, NULL, NULL, 'attach_file', 'file', NULL,
           jsonb_build_object('attachment_id', attached, 'filename', btrim(p_filename),
                              'size', octet_length(p_data), 'sha256', address, 'state', found_article.state)
    FROM session_who() who;
    UPDATE knowledge_article a SET updated_at = now() WHERE a.id = p_article_id;
    RETURN address;
END $fn$
