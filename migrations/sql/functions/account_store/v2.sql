-- account_store, version 2, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Version 2 takes only the customer's own key (`account_key_of_customer()`, as `account_claim()` v2): version
-- 1 added any customer the caller sees to any key's cached account, so storing an error for another
-- customer's account id opened that account's fields to the caller.
-- What the tool answered, for the whole team, until the TTL runs out: the found account (its shown
-- fields as [[label, value], …], the attributes rules may match on, the link) or that none was found; or,
-- with p_error, that the tool could not be asked (the previous answer stays, shown as stale). Ends the
-- caller's claim. The caller must see a ticket of the customer; sizes and the link's scheme are checked,
-- since what one agent's client stores, colleagues' clients show.
CREATE OR REPLACE FUNCTION {{schema}}.account_store(
    p_connector text, p_kind text, p_key text, p_customer bigint, p_found boolean, p_fields jsonb,
    p_attributes jsonb, p_link text, p_ttl_seconds integer, p_error text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
BEGIN
    IF can_see_customer(p_customer) IS NOT TRUE THEN
        RAISE EXCEPTION 'no customer with id % for you', p_customer USING ERRCODE = 'no_data_found';
    END IF;
    IF account_key_of_customer(p_kind, p_key, p_customer, me) IS NOT TRUE THEN
        RAISE EXCEPTION 'that account key is not one of this customer''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (p_ttl_seconds BETWEEN 0 AND 604800) IS NOT TRUE
       OR (p_error IS NULL AND p_found IS NULL)
       OR (jsonb_typeof(coalesce(p_fields, '[]')) = 'array' AND jsonb_array_length(coalesce(p_fields, '[]')) <= 50
           AND jsonb_typeof(coalesce(p_attributes, '{}')) = 'object'
           AND octet_length(coalesce(p_fields, '[]')::text) + octet_length(coalesce(p_attributes, '{}')::text) <= 32768
           AND coalesce(length(p_error), 0) <= 500 AND coalesce(length(p_link), 0) <= 2000
           AND (p_link IS NULL OR p_link ~ '^https?://')) IS NOT TRUE THEN
        RAISE EXCEPTION 'not an account answer this cache keeps' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO account_cache AS c (connector, key_kind, key, customer_ids)
    VALUES (p_connector, p_kind, p_key, ARRAY[p_customer])
    ON CONFLICT (connector, key_kind, key) DO UPDATE
        SET customer_ids = CASE WHEN p_customer = ANY (c.customer_ids) THEN c.customer_ids
                                ELSE c.customer_ids || p_customer END;
    IF p_error IS NOT NULL THEN
        UPDATE account_cache SET last_error = p_error, failed_at = now(), refreshing_until = NULL,
                                 refreshing_by = NULL
        WHERE connector = p_connector AND key_kind = p_kind AND key = p_key;
        RETURN;
    END IF;
    UPDATE account_cache
    SET found = p_found, fields = coalesce(p_fields, '[]'), attributes = coalesce(p_attributes, '{}'),
        link = p_link, fetched_at = now(), expires_at = now() + make_interval(secs => p_ttl_seconds),
        fetched_by = me, last_error = NULL, failed_at = NULL, refreshing_until = NULL, refreshing_by = NULL
    WHERE connector = p_connector AND key_kind = p_kind AND key = p_key;
END $fn$
