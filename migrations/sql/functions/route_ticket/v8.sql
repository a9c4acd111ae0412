-- route_ticket, version 8, applied by migration 0050_probe_fixes_7. Released files never change (migrations/sql/README.md).
-- Version 8: at read committed only. The winner's load and the ticket's decisions of the hour are counted
-- after their locks, which a snapshot taken earlier does not see past: two agents' REPEATABLE READ
-- transactions each routed a ticket to a colleague of capacity 1, who then held two (each of 30
-- connections could add one). A decision's candidates and exclusions are lists of objects (the table's
-- check): `[1]` broke a lead's "Why this agent?". Everything else as version 7, whose notes follow.
-- Version 7: the SLA escalation ladder's level 3 asks as itself ('sla', with the step as its reason), and
-- only a trusted session (the worker's sweep) may: it asked as 'supervisor', and "Why this agent?" told a
-- lead that a supervisor had reassigned a ticket the ladder took from its assignee. Everything else as
-- version 6, whose notes follow.
-- Version 6: a ticket's decisions are bounded: an agent stored fifty 3.8 MB decisions for nobody on one ticket
-- in seven seconds (192 MB a table nobody trims), each putting the ticket on the leads' list with words of
-- his choosing, and a re-probe alternated a winner and a hand-back for the same. "No eligible agent" asked
-- again within ten minutes of the ticket's last decision, if that one found nobody too, returns that decision
-- and stores nothing; a ticket takes at most 30 decisions an hour, whoever asks (routing, hand-backs and a
-- lead's reroutes of one ticket are a handful a day); a decision holds at most 1 MB (a queue of 400 agents
-- ranks about 250 KB). A decision is stamped when it is made (`clock_timestamp()`), not when its
-- transaction began: a hand-back in a transaction begun before a colleague's routing was stamped earlier,
-- and the ticket fell off the leads' list and out of the drain. Everything else as version 5, whose notes
-- follow.
-- Version 5 routes only open tickets (a closed or merged one kept its assignee: only a definer function
-- could still change it; SQLSTATE SB003, "not in a state for this") and keeps a decision's record within
-- 4 MB (a caller stored 1.5 MB on a closed ticket; a queue of 400 agents ranks about 250 KB).
-- Carry out a routing decision: the ranking is the client's (app/services/routing/scoring.py, a pure
-- function it can explain), but what must hold whoever calls is checked here. The ticket is one the
-- caller sees, unassigned (a supervisor may reroute in a queue they lead); the winner is an active agent of
-- the ticket's queue, available, not out of office, and under capacity (plus the queue's overflow cap
-- when the decision says capacity was relaxed). The winner's agent row is locked first, so two intakes
-- routing to the same agent at once count each other's ticket: capacity holds under concurrency. A
-- winner who no longer qualifies raises SQLSTATE SB001 (the caller decides again without them). No
-- winner records "no eligible agent". Every decision is stored, with who asked and the caller.
-- Version 2: a reason, required when a supervisor reroutes or an agent hands a ticket back; handing
-- back is for the ticket's assignee, and leaves it unassigned before routing decides again.
-- Version 3: the load through agent_loads() (the partial index over working tickets).
-- Version 4: out of office through a date of the winner's own time zone, and on shift: a weekly shift
-- (weekday "0" = Monday … "6" -> [[start, end] minutes]) is read in the winner's time zone, as the scoring
-- reads it (app/services/routing/scoring.py), so a modified client cannot route to someone off shift.
CREATE OR REPLACE FUNCTION {{schema}}.route_ticket(
    p_ticket bigint, p_agent bigint, p_asked_by text, p_decision jsonb, p_reason text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
            t ticket%ROWTYPE;
            a agent%ROWTYPE;
            load integer;
            weight integer;
            overflow integer := 0;
            decision bigint;
    BEGIN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'tickets are routed at read committed isolation (as the client does)'
                USING ERRCODE = 'check_violation';
        END IF;
        t := lock_visible_ticket(p_ticket, NULL);
        IF t.merged_into_id IS NOT NULL
           OR NOT EXISTS (SELECT FROM ticket_status s WHERE s.key = t.status AND s.category <> 'done') THEN
            RAISE EXCEPTION 'ticket #% is closed or merged: there is nothing to route', t.number
                USING ERRCODE = 'SB003';
        END IF;
        IF octet_length(p_decision::text) > 1048576 THEN
            RAISE EXCEPTION 'a routing decision holds at most 1 MB' USING ERRCODE = 'program_limit_exceeded';
        END IF;
        IF p_asked_by IS NULL OR p_asked_by NOT IN ('intake', 'reopen', 'drain', 'supervisor', 'handback', 'sla') THEN
            RAISE EXCEPTION 'unknown routing request %', p_asked_by USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_asked_by = 'sla' AND me IS NOT NULL THEN
            RAISE EXCEPTION 'only the SLA sweep routes a ticket for its escalation ladder' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_asked_by IN ('supervisor', 'handback', 'sla') AND coalesce(btrim(p_reason), '') = '' THEN
            RAISE EXCEPTION 'say why (a reason is required)' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_asked_by = 'supervisor' THEN
            IF me IS NOT NULL AND (t.queue_id = ANY (led_queue_ids())) IS NOT TRUE THEN
                RAISE EXCEPTION 'only the lead of this ticket''s queue reroutes it' USING ERRCODE = 'insufficient_privilege';
            END IF;
        ELSIF p_asked_by = 'handback' THEN
            IF t.assignee_id IS DISTINCT FROM me THEN
                RAISE EXCEPTION 'only the ticket''s assignee hands it back' USING ERRCODE = 'insufficient_privilege';
            END IF;
            PERFORM set_config('switchboard.action', 'handback', true);
            UPDATE ticket SET assignee_id = NULL, version = version + 1, updated_at = now() WHERE id = p_ticket;
            IF p_agent = me THEN
                RAISE EXCEPTION 'a ticket handed back goes to someone else' USING ERRCODE = 'SB001';
            END IF;
        ELSIF t.assignee_id IS NOT NULL THEN
            RAISE EXCEPTION 'ticket #% is assigned already', t.number USING ERRCODE = 'SB002';
        END IF;
        IF p_agent IS NOT NULL THEN
            SELECT * INTO a FROM agent WHERE id = p_agent FOR NO KEY UPDATE;  -- not FOR UPDATE: that would wait on the KEY SHARE locks every audit row takes on its actor, and deadlock two intakes
            IF NOT FOUND OR NOT a.is_active OR a.availability <> 'available'
               OR coalesce(a.out_of_office_until >= (now() AT TIME ZONE a.time_zone)::date, false)
               OR (jsonb_typeof(a.shift) = 'object' AND a.shift <> '{}'::jsonb AND NOT EXISTS (
                   SELECT FROM jsonb_array_elements(
                       a.shift -> (extract(isodow FROM now() AT TIME ZONE a.time_zone)::integer - 1)::text) s
                   WHERE extract(hour FROM now() AT TIME ZONE a.time_zone) * 60
                         + extract(minute FROM now() AT TIME ZONE a.time_zone)
                         >= CASE WHEN jsonb_typeof(s -> 0) = 'number' THEN (s ->> 0)::numeric END
                     AND extract(hour FROM now() AT TIME ZONE a.time_zone) * 60
                         + extract(minute FROM now() AT TIME ZONE a.time_zone)
                         < CASE WHEN jsonb_typeof(s -> 1) = 'number' THEN (s ->> 1)::numeric END))
               OR NOT EXISTS (SELECT FROM queue_member m WHERE m.queue_id = t.queue_id AND m.agent_id = p_agent) THEN
                RAISE EXCEPTION 'agent % is not available for this queue', p_agent USING ERRCODE = 'SB001';
            END IF;
            weight := CASE WHEN t.priority = 3 THEN 2 ELSE 1 END;
            SELECT l.load INTO load FROM agent_loads(ARRAY[p_agent]) l;
            IF coalesce(p_decision -> 'relaxed', '[]'::jsonb) ? 'capacity' THEN
                SELECT coalesce((c.settings ->> 'overflow_cap')::integer, 2) INTO overflow FROM routing_config c
                WHERE c.queue_id = t.queue_id OR c.queue_id IS NULL ORDER BY c.queue_id NULLS LAST LIMIT 1;
                overflow := least(greatest(coalesce(overflow, 2), 0), 10);
            END IF;
            IF load + weight > a.capacity + overflow THEN
                RAISE EXCEPTION 'agent % is at capacity %/%', p_agent, load, a.capacity USING ERRCODE = 'SB001';
            END IF;
            PERFORM set_config('switchboard.action', 'route', true);
            UPDATE ticket SET assignee_id = p_agent, version = version + 1, updated_at = now() WHERE id = p_ticket;
        END IF;
        IF p_agent IS NULL AND p_asked_by <> 'handback' THEN  -- nobody again: the last such decision stands
            SELECT d.id INTO decision
            FROM (SELECT r.id, r.winner_agent_id, r.decided_at FROM routing_decision r WHERE r.ticket_id = p_ticket
                  ORDER BY r.decided_at DESC, r.id DESC LIMIT 1) d  -- the ticket's last decision (its index)
            WHERE d.winner_agent_id IS NULL AND d.decided_at > clock_timestamp() - interval '10 minutes';
            IF decision IS NOT NULL THEN
                RETURN decision;
            END IF;
        END IF;
        IF (SELECT count(*) FROM routing_decision r
            WHERE r.ticket_id = p_ticket AND r.decided_at > clock_timestamp() - interval '1 hour') >= 30 THEN
            RAISE EXCEPTION 'ticket #% was routed 30 times in the last hour: ask its queue''s lead', t.number
                USING ERRCODE = 'program_limit_exceeded';
        END IF;
        INSERT INTO routing_decision (ticket_id, decided_at, asked_by, actor_agent_id, winner_agent_id,
                                      config_version, relaxed, ranked, exclusions, reason)
        VALUES (p_ticket, clock_timestamp(), p_asked_by, me, p_agent, coalesce((p_decision ->> 'config_version')::integer, 0),
                ARRAY(SELECT jsonb_array_elements_text(coalesce(p_decision -> 'relaxed', '[]'::jsonb))),
                coalesce(p_decision -> 'ranked', '[]'::jsonb), coalesce(p_decision -> 'exclusions', '[]'::jsonb),
                left(nullif(btrim(p_reason), ''), 500))
        RETURNING id INTO decision;
        RETURN decision;
    END $fn$
