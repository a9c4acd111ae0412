-- check_version, version 1, applied by migration 0003_security. Released files never change (migrations/sql/README.md).
-- Optimistic versioning holds for direct callers too: a stale expected version is refused, and
-- every privileged change raises the version like any other edit. NULL: no expectation.
CREATE OR REPLACE FUNCTION {{schema}}.check_version(current_version integer, expected integer, ticket_number bigint)
    RETURNS void LANGUAGE plpgsql IMMUTABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            BEGIN
                IF expected IS NOT NULL AND current_version <> expected THEN
                    RAISE EXCEPTION 'ticket #% changed since version % (it is at %)', ticket_number, expected,
                        current_version USING ERRCODE = 'serialization_failure';
                END IF;
            END $fn$
