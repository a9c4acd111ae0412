-- audit_customer_account, version 1, applied by migration 0020_account_lookup. Released files never change (migrations/sql/README.md).
-- A change of the customer's external account id (an agent correcting which account the customer is in
-- the account-lookup tool) is audited whoever makes it and however, the actor taken from the session. The
-- ticket it was made from (switchboard.audit_ticket, set by the client) is kept only when that ticket is
-- this customer's, so the audit row shows in that ticket's history and nowhere it does not belong.
CREATE OR REPLACE FUNCTION {{schema}}.audit_customer_account()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    asked text := nullif(current_setting('switchboard.audit_ticket', true), '');
    t ticket%ROWTYPE;
BEGIN
    IF asked ~ '^[0-9]{1,18}$' THEN
        SELECT * INTO t FROM ticket WHERE id = asked::bigint AND customer_id = NEW.id;
    END IF;
    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id, ticket_version,
                             action, field, old_value, new_value)
    SELECT who.agent_id, who.login, 'customer', NEW.id, t.id, t.version, 'link_account',
           'external_account_id', to_jsonb(OLD.external_account_id), to_jsonb(NEW.external_account_id)
    FROM session_identity() who;
    RETURN NULL;
END $fn$
