-- known_time_zone, version 1, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Whether a business calendar's time zone is one of the server's named zones (the tz database's names:
-- Europe/Berlin, UTC; not an abbreviation or a POSIX rule such as 'UTC+5', which PostgreSQL takes and
-- Python's zoneinfo does not). An admin's INSERT of a calendar in 'Mars/Olympus_Mons' stopped ticket
-- creation and the SLA sweep of every queue its policy covered. For the table's check: reading the server's
-- list takes some milliseconds, and calendars are written a few times a year.
CREATE OR REPLACE FUNCTION {{schema}}.known_time_zone(p_zone text)
    RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (SELECT FROM pg_timezone_names z WHERE z.name = p_zone)
$fn$
