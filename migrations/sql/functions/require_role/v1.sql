-- require_role, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
CREATE OR REPLACE FUNCTION {{schema}}.require_role(allowed text[])
    RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := current_agent_id();
            BEGIN
                IF me IS NULL AND is_trusted_session()
                   AND coalesce(current_setting('switchboard.acting_login', true), '') = '' THEN
                    RETURN NULL;
                END IF;
                IF me IS NULL THEN
                    RAISE EXCEPTION 'the login % is not an active Switchboard agent', current_login()
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT current_agent_role() = ANY (allowed) THEN
                    RAISE EXCEPTION 'this needs the role %', array_to_string(allowed, ' or ')
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN me;
            END $fn$
