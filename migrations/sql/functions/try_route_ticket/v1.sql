-- try_route_ticket, version 1, applied by migration 0033_config_version. Released files never change (migrations/sql/README.md).
-- route_ticket() with its two expected refusals as an answer instead of an error: NULL when the decision
-- was carried out, else 'SB002 <message>' (the ticket was assigned meanwhile) or 'SB001 <message>' (the
-- winner no longer qualifies; the caller decides again without them). Push routing ran route_ticket()
-- inside a savepoint to survive those two, three round trips for one; the exception block here is the same
-- subtransaction, on the server. Every other error is raised as route_ticket() raised it. An invoker's
-- function: it adds no right, route_ticket() checks the caller as ever.
CREATE OR REPLACE FUNCTION {{schema}}.try_route_ticket(
    p_ticket bigint, p_agent bigint, p_asked_by text, p_decision jsonb, p_reason text)
    RETURNS text LANGUAGE plpgsql
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        PERFORM route_ticket(p_ticket, p_agent, p_asked_by, p_decision, p_reason);
        RETURN NULL;
    EXCEPTION WHEN SQLSTATE 'SB001' OR SQLSTATE 'SB002' THEN
        RETURN SQLSTATE || ' ' || SQLERRM;
    END $fn$
