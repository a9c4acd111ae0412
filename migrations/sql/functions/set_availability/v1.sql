-- set_availability, version 1, applied by migration 0010_routing. Released files never change (migrations/sql/README.md).
-- An agent says whether they are at work: available, away or offline. Only for themselves: nobody
-- sets a colleague away (a supervisor changes routing through set_agent_routing).
CREATE OR REPLACE FUNCTION {{schema}}.set_availability(p_state text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'only an agent has an availability' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_state IS NULL OR p_state NOT IN ('available', 'away', 'offline') THEN
            RAISE EXCEPTION 'availability is available, away or offline, not %', p_state
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE agent SET availability = p_state WHERE id = me;
    END $fn$
