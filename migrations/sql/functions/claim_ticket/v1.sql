-- claim_ticket, version 1, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- "Assign to me" in one statement: lock the ticket (it must be visible), and when it is unmerged, at the
-- version the caller saw and unassigned, assign it to the caller through assign_ticket (its checks: an
-- unassigned ticket of one's own queue) and return the row as it is now; already the caller's at that
-- version, return it unchanged. Otherwise no row, and nothing changes: the caller takes the ordinary
-- path, which says why (a newer version and who made it, a merge) or reassigns as a supervisor may.
CREATE OR REPLACE FUNCTION {{schema}}.claim_ticket(p_ticket bigint, p_expected_version integer)
    RETURNS SETOF {{schema}}.ticket LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            t ticket := lock_visible_ticket(p_ticket, NULL);
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'only an agent claims tickets' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF t.merged_into_id IS NOT NULL OR t.version IS DISTINCT FROM p_expected_version
           OR (t.assignee_id IS NULL OR t.assignee_id = me) IS NOT TRUE THEN
            RETURN;
        END IF;
        IF t.assignee_id IS NULL THEN
            PERFORM assign_ticket(p_ticket, me, NULL);
        END IF;
        RETURN QUERY SELECT * FROM ticket WHERE id = p_ticket;
    END $fn$
