-- escalate_ticket, version 4, applied by migration 0051_probe_fixes_8. Released files never change (migrations/sql/README.md).
-- Version 4: a resolved or closed ticket is refused (SQLSTATE SB003, as a merged one): an agent escalated a closed ticket through psql, which made it urgent, took it from its assignee and gave it to the lead, with nothing left to do. Everything else as version 3, whose notes follow.
-- Version 2 gave the ticket to the queue's team lead even when the lead had been disabled (`disable_user()`
-- keeps the queue's lead): an escalated, urgent ticket went to someone who can no longer sign in. The lead
-- is taken only while active and still a lead (a supervisor or an admin: a lead made an agent again leads
-- nothing); otherwise the ticket keeps its assignee. Everything else as version 2:
-- (v2) Version 1 changed a merged ticket: its UPDATE runs as the owner, whom the guard's "never a merged
-- ticket" does not stop (a probe escalated, assigned and moved merged tickets through psql). Refused now
-- with SQLSTATE SB003 ("not in a state for this"), as route_ticket() refuses it. A ticket at the bound of 128 tags (0045) is
-- escalated without the "escalated" tag. Everything else as version 1, whose notes follow.
-- Escalating: anyone who sees the ticket; it becomes urgent and goes to the queue's team lead.
CREATE OR REPLACE FUNCTION {{schema}}.escalate_ticket(p_ticket bigint, p_expected_version integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$ 
            DECLARE me bigint := require_role(ARRAY['agent', 'supervisor', 'admin']);
                    t ticket := lock_visible_ticket(p_ticket, p_expected_version);
                    lead bigint;
            BEGIN
                IF t.merged_into_id IS NOT NULL THEN
                    RAISE EXCEPTION 'ticket #% was merged; work on the ticket it was merged into', t.number
                        USING ERRCODE = 'SB003';
                END IF;
                IF EXISTS (SELECT FROM ticket_status s WHERE s.key = t.status AND s.category = 'done') THEN
                    RAISE EXCEPTION 'ticket #% is %; reopen it before escalating it', t.number, t.status
                        USING ERRCODE = 'SB003';
                END IF;
                SELECT q.team_lead_id INTO lead FROM queue q
                JOIN agent a ON a.id = q.team_lead_id AND a.is_active AND a.role <> 'agent'
                WHERE q.id = t.queue_id;
                PERFORM set_config('switchboard.action', 'escalate', true);
                UPDATE ticket SET priority = 3, assignee_id = coalesce(lead, assignee_id),
                                  version = version + 1, updated_at = now(),
                                  tags = CASE WHEN cardinality(tags) >= 128 THEN tags  -- the bound: no room
                                              ELSE (SELECT array_agg(DISTINCT tag ORDER BY tag)
                                                    FROM unnest(tags || ARRAY['escalated']::varchar[]) AS tag) END
                WHERE id = p_ticket;
            END $fn$
