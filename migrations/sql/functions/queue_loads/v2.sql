-- queue_loads, version 2, applied by migration 0013_routing_speed. Released files never change (migrations/sql/README.md).
-- The routing facts an agent's own permissions cannot give: for each agent of a queue the caller sees,
-- the weighted open tickets they carry in every queue (urgent counts two) and when routing last gave them
-- one. Numbers only, no ticket is shown. Version 2 counts the whole queue through agent_loads() (one scan of the partial index).
CREATE OR REPLACE FUNCTION {{schema}}.queue_loads(p_queue bigint)
    RETURNS TABLE (agent_id bigint, load integer, last_assigned_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        IF (p_queue = ANY (visible_queue_ids())) IS NOT TRUE THEN
            RAISE EXCEPTION 'no queue % for you', p_queue USING ERRCODE = 'no_data_found';
        END IF;
        RETURN QUERY
        SELECT m.agent_id, l.load,
               (SELECT max(d.decided_at) FROM routing_decision d WHERE d.winner_agent_id = m.agent_id)
        FROM queue_member m
        JOIN agent_loads(ARRAY(SELECT q.agent_id FROM queue_member q WHERE q.queue_id = p_queue)) l
          ON l.agent_id = m.agent_id
        WHERE m.queue_id = p_queue;
    END $fn$
