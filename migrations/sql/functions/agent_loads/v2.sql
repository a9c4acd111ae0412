-- agent_loads, version 2, applied by migration 0021_load_tally. Released files never change (migrations/sql/README.md).
-- The weighted open tickets each of these agents carries (urgent counts two): what routing measures
-- capacity in. Version 2 sums the tally (tickets plus urgent tickets of the agent's groups in an open
-- status: a few rows per agent) where version 1 read every open ticket of every candidate — 12 ms of each
-- intake's routing at a million tickets (issue 12). The tally counts what version 1 counted: tickets not
-- merged, in statuses of the open category (an admin's added statuses included).
CREATE OR REPLACE FUNCTION {{schema}}.agent_loads(p_agents bigint[])
    RETURNS TABLE (agent_id bigint, load integer) LANGUAGE sql STABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    SELECT a.id, coalesce(sum(t.tickets + t.urgent), 0)::integer
    FROM unnest(p_agents) AS a (id)
    LEFT JOIN ticket_tally t
           ON t.assignee_id = a.id
          AND t.status = ANY (ARRAY(SELECT s.key FROM ticket_status s WHERE s.category = 'open'))
    GROUP BY a.id
$fn$
