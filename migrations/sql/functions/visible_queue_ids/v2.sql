-- visible_queue_ids, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- Agents see the queues they belong to; supervisors also the queues they lead; admins all.
CREATE OR REPLACE FUNCTION {{schema}}.visible_queue_ids()
    RETURNS bigint[] LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint; my_role text := current_agent_role();
            BEGIN
                IF my_role = 'admin' THEN
                    RETURN ARRAY(SELECT id FROM queue);
                END IF;
                me := current_agent_id();
                IF me IS NULL THEN RETURN '{}'; END IF;
                RETURN ARRAY(SELECT queue_id FROM queue_member WHERE agent_id = me
                             UNION SELECT id FROM queue WHERE team_lead_id = me AND my_role = 'supervisor');
            END $fn$
