-- can_see_customer, version 1, applied by migration 0020_account_lookup. Released files never change (migrations/sql/README.md).
-- Whether the caller may see some ticket of this customer: a queue of theirs, or assigned to them (as
-- lock_visible_ticket decides). Trusted sessions (migrations, the worker, the demo loader) see all. For
-- definer functions, which bypass row-level security and must therefore ask.
CREATE OR REPLACE FUNCTION {{schema}}.can_see_customer(p_customer bigint)
    RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE who record;
BEGIN
    SELECT * INTO who FROM session_identity();
    IF who.agent_id IS NULL THEN
        RETURN coalesce(who.trusted, false)
               AND coalesce(current_setting('switchboard.acting_login', true), '') = '';
    END IF;
    RETURN EXISTS (SELECT FROM ticket t
                   WHERE t.customer_id = p_customer
                     AND (t.queue_id = ANY (who.visible_queue_ids) OR t.assignee_id = who.agent_id));
END $fn$
