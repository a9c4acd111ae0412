-- account_claim, version 2, applied by migration 0044_probe_fixes. Released files never change (migrations/sql/README.md).
-- Version 1 took any key for a customer the caller sees, and added that customer to the cached account's
-- customers, which is what row-level security reads by: an agent could read any account by claiming its id
-- (every agent reads customers' account ids) for a customer of theirs. Now a staff member's key must be the
-- customer's own, written before this transaction (`account_key_of_customer()`, as `account_store()` v2).
-- Trusted sessions (the worker) claim as before.
-- One HTTP call for many concurrent lookups of one account: before asking the tool, a client claims the
-- key. 'fresh': the cache holds an unexpired answer (nobody needs to ask); 'busy': someone else claimed it
-- and their lease runs (wait for their answer); 'claimed': the caller asks the tool and stores the answer
-- (account_store) before the lease ends. The row lock of the upsert orders concurrent claims; the claim
-- commits before any HTTP call is made. The caller must see a ticket of the customer, who is then added to
-- the customers the cached account belongs to (which is what row-level security reads by).
CREATE OR REPLACE FUNCTION {{schema}}.account_claim(
    p_connector text, p_kind text, p_key text, p_customer bigint, p_lease_seconds integer)
    RETURNS text LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
    cached account_cache%ROWTYPE;
BEGIN
    IF can_see_customer(p_customer) IS NOT TRUE THEN
        RAISE EXCEPTION 'no customer with id % for you', p_customer USING ERRCODE = 'no_data_found';
    END IF;
    IF account_key_of_customer(p_kind, p_key, p_customer, me) IS NOT TRUE THEN
        RAISE EXCEPTION 'that account key is not one of this customer''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (p_lease_seconds BETWEEN 1 AND 120) IS NOT TRUE THEN
        RAISE EXCEPTION 'a lease lasts 1 to 120 seconds' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO account_cache AS c (connector, key_kind, key, customer_ids)
    VALUES (p_connector, p_kind, p_key, ARRAY[p_customer])
    ON CONFLICT (connector, key_kind, key) DO UPDATE
        SET customer_ids = CASE WHEN p_customer = ANY (c.customer_ids) THEN c.customer_ids
                                ELSE c.customer_ids || p_customer END;
    SELECT * INTO cached FROM account_cache
    WHERE connector = p_connector AND key_kind = p_kind AND key = p_key;
    IF cached.expires_at > now() THEN
        RETURN 'fresh';
    END IF;
    IF cached.refreshing_until > clock_timestamp() THEN
        RETURN 'busy';
    END IF;
    UPDATE account_cache SET refreshing_until = clock_timestamp() + make_interval(secs => p_lease_seconds),
                             refreshing_by = me
    WHERE connector = p_connector AND key_kind = p_kind AND key = p_key;
    RETURN 'claimed';
END $fn$
