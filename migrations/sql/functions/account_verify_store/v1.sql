-- account_verify_store, version 1, applied by migration 0030_account_verified. Released files never change (migrations/sql/README.md).
-- What the account-lookup tool answered for a customer when the worker asked it itself, with the
-- credential of its own keyring: the only attributes rules decide on (priority on intake, SLA policy
-- conditions, routing skills). The key is the one the worker found for the customer (p_kind, p_key with
-- where it was found; both NULL: nothing names the customer's account, which also clears the attributes);
-- p_found: whether the tool knows that account (its attributes, or none); p_error: the tool could not be
-- asked, and the previous answer stays. p_link: the customer's stored account id when the worker looked,
-- so a corrected link is verified again at the next pass. Only a trusted session may call it (the worker's
-- login, a member of the owner role; `switchboard connector verify` on the worker's URL): staff, admins
-- included, have no EXECUTE and no grant on the table. Returns whether the customer's verified attributes
-- changed.
CREATE OR REPLACE FUNCTION {{schema}}.account_verify_store(
    p_customer bigint, p_connector text, p_kind text, p_key text, p_source text, p_link text,
    p_found boolean, p_attributes jsonb, p_ttl_seconds integer, p_error text)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    before jsonb;
    after jsonb := CASE WHEN p_found IS TRUE THEN coalesce(p_attributes, '{}') ELSE '{}'::jsonb END;
BEGIN
    IF is_trusted_session() IS NOT TRUE THEN
        RAISE EXCEPTION 'only the worker verifies accounts' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT FROM customer WHERE id = p_customer) THEN
        RAISE EXCEPTION 'no customer with id %', p_customer USING ERRCODE = 'no_data_found';
    END IF;
    IF (length(p_connector) BETWEEN 1 AND 64
        AND (p_ttl_seconds BETWEEN 0 AND 604800)
        AND ((p_kind IS NULL AND p_key IS NULL AND p_found IS NULL)
             OR (p_kind IN ('account_id', 'email') AND length(p_key) BETWEEN 1 AND 200))
        AND (p_error IS NULL OR (p_key IS NOT NULL AND p_found IS NULL))
        AND jsonb_typeof(coalesce(p_attributes, '{}')) = 'object'
        AND octet_length(coalesce(p_attributes, '{}')::text) <= 16384
        AND coalesce(length(p_error), 0) <= 500 AND coalesce(length(p_source), 0) <= 200
        AND coalesce(length(p_link), 0) <= 200) IS NOT TRUE THEN
        RAISE EXCEPTION 'not a verified account answer' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN v.found IS TRUE THEN v.attributes ELSE '{}'::jsonb END INTO before
    FROM account_verified v WHERE v.customer_id = p_customer AND v.connector = p_connector FOR UPDATE;
    IF p_error IS NOT NULL THEN
        INSERT INTO account_verified AS v (customer_id, connector, key_kind, key, key_source, linked_account_id,
                                           last_error, failed_at, verified_by)
        VALUES (p_customer, p_connector, p_kind, p_key, p_source, p_link, p_error, now(), session_user)
        ON CONFLICT (customer_id, connector) DO UPDATE
            SET last_error = EXCLUDED.last_error, failed_at = EXCLUDED.failed_at;
        RETURN false;
    END IF;
    INSERT INTO account_verified AS v (customer_id, connector, key_kind, key, key_source, linked_account_id,
                                       found, attributes, checked_at, verified_at, expires_at, verified_by)
    VALUES (p_customer, p_connector, p_kind, p_key, p_source, p_link, p_found, after, now(),
            CASE WHEN p_found IS NOT NULL THEN now() END, now() + make_interval(secs => p_ttl_seconds),
            session_user)
    ON CONFLICT (customer_id, connector) DO UPDATE
        SET key_kind = EXCLUDED.key_kind, key = EXCLUDED.key, key_source = EXCLUDED.key_source,
            linked_account_id = EXCLUDED.linked_account_id, found = EXCLUDED.found,
            attributes = EXCLUDED.attributes, checked_at = EXCLUDED.checked_at,
            verified_at = EXCLUDED.verified_at, expires_at = EXCLUDED.expires_at,
            verified_by = EXCLUDED.verified_by, last_error = NULL, failed_at = NULL;
    RETURN coalesce(before, '{}'::jsonb) IS DISTINCT FROM after;
END $fn$
