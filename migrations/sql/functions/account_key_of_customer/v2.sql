-- account_key_of_customer, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket counts by its queue only, as for `lock_visible_ticket()` v4 since 0051, no longer also by being its assignee: an agent taken out of her only queue still stored made-up account answers for the customers of her closed tickets (`account_store()` asks here), and learnt which customers those were. Everything else as version 1, whose notes follow.
-- Whether an account key is this customer's own, as the client finds keys (`connectors.finding`): the account
-- id stored on the customer, one of their addresses (case ignored), or an id standing as a word of its own in
-- the subject, a custom field's value or a message of a ticket of theirs the caller sees (p_me: their agent
-- id). Only what was written before this transaction counts, so that a key cannot stand on a link, an
-- address, a ticket or a message the caller writes, reads through and rolls back (no trace): a row written
-- here, even in a subtransaction, has a transaction id still in progress. For `account_claim()` and
-- `account_store()`, which add the customer to the cached account's customers (what row-level security
-- reads by); a trusted session (p_me NULL) is the worker's, which claims as before. Callable by no one else.
CREATE OR REPLACE FUNCTION {{schema}}.account_key_of_customer(p_kind text, p_key text, p_customer bigint, p_me bigint)
    RETURNS boolean LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    next_id bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    words text := ' ' || btrim(regexp_replace(p_key, '[^[:alnum:]]+', ' ', 'g')) || ' ';
BEGIN
    IF p_me IS NULL THEN
        RETURN true;
    END IF;
    IF p_kind = 'account_id' AND EXISTS (
            SELECT FROM customer c
            WHERE c.id = p_customer AND normalize(btrim(c.external_account_id), NFC) = p_key
              AND NOT written_here(c.xmin, next_id)) THEN
        RETURN true;
    END IF;
    IF p_kind = 'email' AND EXISTS (
            SELECT FROM customer_email e
            WHERE e.customer_id = p_customer AND lower(btrim(e.address)) = lower(p_key)
              AND NOT written_here(e.xmin, next_id)) THEN
        RETURN true;
    END IF;
    RETURN p_kind = 'account_id' AND words <> '  ' AND EXISTS (
        SELECT FROM ticket t
        WHERE t.customer_id = p_customer AND t.updated_at < now()
          AND t.queue_id = ANY (visible_queue_ids())
          AND (' ' || regexp_replace(t.subject, '[^[:alnum:]]+', ' ', 'g') || ' ' LIKE '%' || words || '%'
               OR EXISTS (SELECT FROM jsonb_each_text(CASE WHEN jsonb_typeof(t.custom_fields) = 'object'
                                                           THEN t.custom_fields ELSE '{}' END) f
                          WHERE btrim(f.value) = p_key)
               OR EXISTS (SELECT FROM message m
                          WHERE m.ticket_id = t.id AND m.created_at < now()
                            AND ' ' || regexp_replace(m.body_text, '[^[:alnum:]]+', ' ', 'g') || ' '
                                LIKE '%' || words || '%')));
END $fn$
