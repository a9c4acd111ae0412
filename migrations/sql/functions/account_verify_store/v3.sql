-- account_verify_store, version 3, applied by migration 0034_email_source. Released files never change (migrations/sql/README.md).
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
-- Version 2 (migration 0032): p_corroborated says why the account is this customer's, not merely one that
-- was named for them (a pattern in the customer's text, a ticket field, an agent's link): 'customer_email'
-- (the tool was asked by one of the customer's own addresses), 'tool_email' (the tool's answer for the
-- account id carries one of the customer's addresses), 'site_trust' (the site's connector settings trust
-- named accounts: `trust_named_accounts`), NULL: named only. Rules read found AND corroborated rows only,
-- so the returned "changed" compares what rules read before and after.
-- Version 3 (migration 0034): a 'customer_email' key is one of the customer's addresses that intake took
-- from the sender (customer_email.source = 'intake'); an address staff typed (or one from before 0034,
-- 'unknown') is not the customer's word: under the site's `trust_named_accounts` the worker says 'site_trust'.
CREATE OR REPLACE FUNCTION {{schema}}.account_verify_store(
    p_customer bigint, p_connector text, p_kind text, p_key text, p_source text, p_link text,
    p_found boolean, p_attributes jsonb, p_ttl_seconds integer, p_error text,
    p_corroborated text DEFAULT NULL)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    before jsonb;
    stored jsonb := CASE WHEN p_found IS TRUE THEN coalesce(p_attributes, '{}') ELSE '{}'::jsonb END;
    after jsonb := CASE WHEN p_found IS TRUE AND p_corroborated IS NOT NULL
                        THEN coalesce(p_attributes, '{}') ELSE '{}'::jsonb END;
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
        AND coalesce(length(p_link), 0) <= 200
        AND (p_corroborated IS NULL
             OR (p_corroborated IN ('customer_email', 'tool_email', 'site_trust') AND p_found IS TRUE))
        AND (p_corroborated IS DISTINCT FROM 'customer_email'
             OR (p_kind = 'email' AND EXISTS (SELECT FROM customer_email e WHERE e.customer_id = p_customer
                                              AND lower(e.address) = lower(p_key)
                                              AND e.source = 'intake')))) IS NOT TRUE THEN
        RAISE EXCEPTION 'not a verified account answer' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN v.found IS TRUE AND v.corroborated_by IS NOT NULL THEN v.attributes ELSE '{}'::jsonb END
    INTO before
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
                                       found, attributes, corroborated_by, checked_at, verified_at, expires_at,
                                       verified_by)
    VALUES (p_customer, p_connector, p_kind, p_key, p_source, p_link, p_found, stored, p_corroborated, now(),
            CASE WHEN p_found IS NOT NULL THEN now() END, now() + make_interval(secs => p_ttl_seconds),
            session_user)
    ON CONFLICT (customer_id, connector) DO UPDATE
        SET key_kind = EXCLUDED.key_kind, key = EXCLUDED.key, key_source = EXCLUDED.key_source,
            linked_account_id = EXCLUDED.linked_account_id, found = EXCLUDED.found,
            attributes = EXCLUDED.attributes, corroborated_by = EXCLUDED.corroborated_by,
            checked_at = EXCLUDED.checked_at,
            verified_at = EXCLUDED.verified_at, expires_at = EXCLUDED.expires_at,
            verified_by = EXCLUDED.verified_by, last_error = NULL, failed_at = NULL;
    RETURN coalesce(before, '{}'::jsonb) IS DISTINCT FROM after;
END $fn$
