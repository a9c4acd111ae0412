-- kb_create_article, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 1, whose notes follow.
-- A new article is always a draft of its caller (any active agent may write one; only editors publish).
-- A source ticket must be one the caller sees: nothing about another queue's tickets is revealed.
CREATE OR REPLACE FUNCTION {{schema}}.kb_create_article(
    p_title text, p_body text, p_body_html text, p_tags text[], p_category_id bigint, p_visibility text,
    p_source_ticket_id bigint)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := current_agent_id();
    created bigint;
BEGIN
    IF me IS NULL AND is_trusted_session() IS NOT TRUE THEN
        RAISE EXCEPTION 'the login % is not an active Switchboard agent', current_login()
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (length(btrim(coalesce(p_title, ''))) > 0) IS NOT TRUE THEN
        RAISE EXCEPTION 'an article needs a title' USING ERRCODE = 'check_violation';
    END IF;
    IF p_category_id IS NOT NULL AND NOT EXISTS (SELECT FROM knowledge_category c WHERE c.id = p_category_id) THEN
        RAISE EXCEPTION 'no category %', p_category_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF p_source_ticket_id IS NOT NULL AND (
        EXISTS (SELECT FROM ticket t WHERE t.id = p_source_ticket_id
                AND (t.queue_id = ANY (visible_queue_ids())))) IS NOT TRUE THEN
        RAISE EXCEPTION 'no ticket with id % for you', p_source_ticket_id USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO knowledge_article (title, body, body_html, tags, category_id, visibility, state, author_id,
                                   updated_by_id, source_ticket_id)
    VALUES (btrim(p_title), coalesce(p_body, ''), p_body_html, coalesce(p_tags, '{}'), p_category_id,
            coalesce(p_visibility, 'internal'), 'draft', me, me, p_source_ticket_id)
    RETURNING id INTO created;
    RETURN created;
END $fn$
