-- link_customer_account, version 1, applied by migration 0020_account_lookup. Released files never change (migrations/sql/README.md).
-- An agent corrects which account of the account-lookup tool a ticket's customer is (NULL: none stored).
-- Customers are otherwise edited by admins only; this changes the one column, for the customer of a ticket
-- the caller sees, and the change is audited against that ticket (audit_customer_account). Keys with
-- control characters or over 100 characters are refused.
CREATE OR REPLACE FUNCTION {{schema}}.link_customer_account(p_ticket bigint, p_key text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
    v_customer bigint;
BEGIN
    SELECT t.customer_id INTO v_customer FROM ticket t
    WHERE t.id = p_ticket
      AND (me IS NULL OR t.queue_id = ANY (visible_queue_ids()) OR t.assignee_id = me);
    IF v_customer IS NULL THEN
        RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
    END IF;
    IF p_key IS NOT NULL AND (length(p_key) BETWEEN 1 AND 100 AND p_key !~ '[[:cntrl:]]') IS NOT TRUE THEN
        RAISE EXCEPTION 'an account id has 1 to 100 characters and no control characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('switchboard.audit_ticket', p_ticket::text, true);
    UPDATE customer SET external_account_id = p_key WHERE id = v_customer;
    PERFORM set_config('switchboard.audit_ticket', '', true);
END $fn$
