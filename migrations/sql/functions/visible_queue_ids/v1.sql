-- visible_queue_ids, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- Agents see the queues they belong to; supervisors also the queues they lead; admins all.
CREATE OR REPLACE FUNCTION {{schema}}.visible_queue_ids()
    RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            SELECT CASE WHEN is_admin() THEN (SELECT coalesce(array_agg(id), '{}') FROM queue)
            ELSE (SELECT coalesce(array_agg(DISTINCT queue_id), '{}') FROM (
                    SELECT queue_id FROM queue_member WHERE agent_id = current_agent_id()
                    UNION SELECT id FROM queue
                          WHERE team_lead_id = current_agent_id() AND current_agent_role() = 'supervisor'
                 ) mine) END $fn$
