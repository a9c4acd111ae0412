-- lock_visible_ticket, version 2, applied by migration 0006_hardening. Released files never change (migrations/sql/README.md).
-- The common start of every privileged ticket change. NULL never passes a check here.
CREATE OR REPLACE FUNCTION {{schema}}.lock_visible_ticket(p_ticket bigint, p_expected_version integer)
    RETURNS {{schema}}.ticket LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE t ticket%ROWTYPE;
            BEGIN
                SELECT * INTO t FROM ticket WHERE id = p_ticket FOR UPDATE;
                IF NOT FOUND OR (t.queue_id = ANY (visible_queue_ids()) OR t.assignee_id = current_agent_id()) IS NOT TRUE THEN
                    RAISE EXCEPTION 'no ticket with id % for you', p_ticket USING ERRCODE = 'no_data_found';
                END IF;
                PERFORM check_version(t.version, p_expected_version, t.number);
                RETURN t;
            END $fn$
