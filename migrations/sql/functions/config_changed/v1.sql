-- config_changed, version 1, applied by migration 0033_config_version. Released files never change (migrations/sql/README.md).
-- A statement changed the desk's configuration (SLA policies, calendars, statuses and their moves, routing
-- settings, account priority rules, agents, their skills and queues): the one configuration version moves
-- on, so every process that keeps these rows between transactions reads them again at its next transaction
-- (app/services/platform/config_cache.py). The version comes from a sequence, which never hands out a
-- number twice, rolled back or not: a version seen only inside a transaction that rolled back (or by that
-- transaction before its next change) never labels another state. A statement-level definer trigger:
-- nobody but this function writes the version row, and a statement that touched no row moves it too
-- (harmless: one more reload).
CREATE OR REPLACE FUNCTION {{schema}}.config_changed()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    BEGIN
        UPDATE config_version SET version = nextval('config_version_seq') WHERE id = 1;
        RETURN NULL;
    END $fn$
