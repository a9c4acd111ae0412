-- link_customer_account, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket is the caller's to see by its queue only (one they work, lead or, an admin, any), no longer also by being its assignee: an agent taken out of a queue kept every ticket ever assigned to them there (182 in a probe, open and closed, with their messages, and could still change them). An assignee works the ticket's queue, so the clause only ever let in those who had left. Everything else as version 1, whose notes follow.
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
      AND (me IS NULL OR t.queue_id = ANY (visible_queue_ids()));
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
