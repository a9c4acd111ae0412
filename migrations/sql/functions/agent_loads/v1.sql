-- agent_loads, version 1, applied by migration 0013_routing_speed. Released files never change (migrations/sql/README.md).
-- The weighted open tickets each of these agents carries (urgent counts two): what routing measures
-- capacity in, for a whole queue in one scan. The seeded working statuses are spelled out so the planner
-- uses the partial index over working tickets by assignee (milliseconds at a million tickets, where joining
-- ticket_status walked every ticket an agent ever had); open statuses an admin added later are counted
-- in a second pass that runs only when there are any.
CREATE OR REPLACE FUNCTION {{schema}}.agent_loads(p_agents bigint[])
    RETURNS TABLE (agent_id bigint, load integer) LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE seeded text[] := ARRAY(SELECT s.key FROM ticket_status s WHERE s.category = 'open'
                                   AND s.key IN ('new', 'in_progress', 'waiting', 'pending', 'answered'));
            added text[] := ARRAY(SELECT s.key FROM ticket_status s WHERE s.category = 'open'
                                  AND s.key NOT IN ('new', 'in_progress', 'waiting', 'pending', 'answered'));
    BEGIN
        RETURN QUERY
        SELECT a.id, coalesce(sum(CASE WHEN o.priority = 3 THEN 2 ELSE 1 END), 0)::integer
        FROM unnest(p_agents) AS a (id)
        LEFT JOIN (
            SELECT t.assignee_id, t.priority FROM ticket t
            WHERE t.assignee_id = ANY (p_agents) AND t.merged_into_id IS NULL
              AND t.status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') AND t.status = ANY (seeded)
            UNION ALL
            SELECT t.assignee_id, t.priority FROM ticket t
            WHERE cardinality(added) > 0 AND t.assignee_id = ANY (p_agents) AND t.merged_into_id IS NULL
              AND t.status = ANY (added)
        ) o ON o.assignee_id = a.id
        GROUP BY a.id;
    END $fn$
