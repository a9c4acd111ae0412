-- audit_config, version 1, applied by migration 0046_probe_fixes_3. Released files never change (migrations/sql/README.md).
-- The desk's configuration changes are audited like a ticket's: whoever made them and however (a definer
-- function or an admin's direct write), the actor from the session. A probe set an admin's capacity to 0
-- and moved her time zone through set_agent_routing() and nothing recorded it; availability, routing
-- settings, queue members, users, SLA policies and calendars were all kept without a trail.
-- A row trigger on each configuration table: one audit row per inserted, updated or deleted row, with
-- entity = the table, entity_id = the row's id (TG_ARGV[0] names its column; 0 for a table keyed by
-- text, whose key is then in the values), action = insert/update/delete, and for an update only the
-- columns that changed (old_value and new_value hold them, new_value also the row's key columns named in
-- TG_ARGV[1:]). Bookkeeping columns (version, updated_at, updated_by) are left out, and an agent's
-- availability (only the agent sets their own, and the client toggles it on idle: 5,000 toggles were 5,000
-- permanent rows in three seconds); an update that changed nothing else writes no row. No ticket: only admins read these rows (audit_read).
CREATE OR REPLACE FUNCTION {{schema}}.audit_config()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
DECLARE
    bookkeeping text[] := ARRAY['version', 'updated_at', 'updated_by', 'availability'];
    before jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    after jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    changed_before jsonb;
    changed_after jsonb;
    row_id bigint;
    key_columns text[] := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1:TG_NARGS - 1] ELSE ARRAY[]::text[] END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(b.key, b.value), jsonb_object_agg(b.key, after -> b.key)
        INTO changed_before, changed_after
        FROM jsonb_each(before) b
        WHERE NOT b.key = ANY (bookkeeping) AND b.value IS DISTINCT FROM after -> b.key;
        IF changed_before IS NULL THEN
            RETURN NULL;
        END IF;
        changed_after := changed_after || coalesce((SELECT jsonb_object_agg(k, after -> k) FROM unnest(key_columns) k), '{}');
    ELSE
        changed_before := before - bookkeeping;
        changed_after := after - bookkeeping;
    END IF;
    row_id := CASE WHEN TG_ARGV[0] = '' THEN 0
                   ELSE (coalesce(after, before) ->> TG_ARGV[0])::bigint END;
    INSERT INTO audit_event (actor_agent_id, actor_login, entity, entity_id, ticket_id, ticket_version,
                             action, field, old_value, new_value)
    SELECT who.agent_id, who.login, TG_TABLE_NAME, row_id, NULL, NULL, lower(TG_OP), NULL,
           changed_before, changed_after
    FROM session_who() who;
    RETURN NULL;
END $fn$
