-- led_queue_ids, version 1, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Supervisor powers reach the queues a supervisor leads; an admin's reach every queue.
CREATE OR REPLACE FUNCTION {{schema}}.led_queue_ids()
    RETURNS bigint[] LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE my_role text := current_agent_role();
            BEGIN
                IF my_role = 'admin' THEN RETURN ARRAY(SELECT id FROM queue); END IF;
                IF my_role IS DISTINCT FROM 'supervisor' THEN RETURN '{}'; END IF;
                RETURN ARRAY(SELECT id FROM queue WHERE team_lead_id = current_agent_id());
            END $fn$
