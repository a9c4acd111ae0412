-- sla_due_on_write, version 1, applied by migration 0017_sla_supervisor. Released files never change (migrations/sql/README.md).
-- Due times exact on write where that is cheap: a clock that stops running has no due time, and that needs
-- no clock maths. When a ticket moves to a status that pauses a clock, to a done status, or gets its
-- first response, the due columns of the clocks that no longer run are cleared in the same write (a BEFORE
-- row trigger, after the guard and the timestamps: c_…), so the queue never shows a paused or finished
-- ticket as due. Clocks that start or resume still get their due time from the sweep, within its minute.
-- SECURITY INVOKER: it reads only the status vocabulary every staff member reads.
CREATE OR REPLACE FUNCTION {{schema}}.sla_due_on_write()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE category text; clocks text[];
    BEGIN
        SELECT s.category,
               coalesce(s.sla_clocks, CASE s.category WHEN 'open' THEN ARRAY['first_response', 'next_response', 'resolution']
                                                      WHEN 'paused' THEN ARRAY['first_response'] ELSE ARRAY[]::text[] END)
          INTO category, clocks FROM ticket_status s WHERE s.key = NEW.status;
        IF category = 'done' OR NEW.merged_into_id IS NOT NULL THEN
            clocks := ARRAY[]::text[];
        END IF;
        IF NEW.first_response_at IS NOT NULL OR ('first_response' = ANY (clocks)) IS NOT TRUE THEN
            NEW.first_response_due_at := NULL;
        END IF;
        IF ('next_response' = ANY (clocks)) IS NOT TRUE THEN
            NEW.next_response_due_at := NULL;
        END IF;
        IF ('resolution' = ANY (clocks)) IS NOT TRUE THEN
            NEW.resolution_due_at := NULL;
        END IF;
        RETURN NEW;
    END $fn$
