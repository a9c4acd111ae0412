-- can_see_customer, version 2, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 2: a ticket counts by its queue only, as for `lock_visible_ticket()` v4 since 0051, no longer also by being its assignee: an agent taken out of her only queue still stored made-up account answers for the customers of her closed tickets (`account_store()` asks here), and learnt which customers those were. Everything else as version 1, whose notes follow.
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
                     AND t.queue_id = ANY (who.visible_queue_ids));
END $fn$
