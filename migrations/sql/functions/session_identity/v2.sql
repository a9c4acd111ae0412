-- session_identity, version 2, applied by migration 0011_identity_plpgsql. Released files never change (migrations/sql/README.md).
-- The same answer as version 1, in PL/pgSQL: PostgreSQL 15 plans a SQL-language function's query anew in
-- every statement that calls it (1.2 ms measured), while PL/pgSQL keeps the plan for the session (0.27 ms
-- on the first call, less after). Column names are the table's where they meet the OUT parameters.
CREATE OR REPLACE FUNCTION {{schema}}.session_identity(
    OUT login name, OUT agent_id bigint, OUT agent_role text, OUT trusted boolean,
    OUT visible_queue_ids bigint[], OUT led_queue_ids bigint[])
    RETURNS record LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    WITH session AS (
        SELECT nullif(current_setting('switchboard.acting_login', true), '') AS acting,
               coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
               OR pg_has_role(session_user, {{owner_role:literal}}, 'MEMBER') AS trusted
    ), who AS (
        SELECT CASE WHEN s.acting IS NOT NULL AND s.trusted THEN s.acting::name ELSE session_user END AS login,
               s.acting IS NULL AND s.trusted AS acts_for_nobody, s.trusted
        FROM session s
    ), me AS (
        SELECT w.login, w.trusted, a.id, CASE WHEN w.acts_for_nobody THEN 'admin' ELSE a.role::text END AS role
        FROM who w LEFT JOIN agent a ON a.db_login = w.login::text AND a.is_active
    )
    SELECT me.login, me.id, me.role, me.trusted,
           CASE WHEN me.role = 'admin' THEN ARRAY(SELECT q.id FROM queue q)
                WHEN me.id IS NULL THEN '{}'::bigint[]
                ELSE ARRAY(SELECT m.queue_id FROM queue_member m WHERE m.agent_id = me.id
                           UNION SELECT q.id FROM queue q WHERE q.team_lead_id = me.id AND me.role = 'supervisor')
           END,
           CASE WHEN me.role = 'admin' THEN ARRAY(SELECT q.id FROM queue q)
                WHEN me.role IS DISTINCT FROM 'supervisor' THEN '{}'::bigint[]
                ELSE ARRAY(SELECT q.id FROM queue q WHERE q.team_lead_id = me.id)
           END
    INTO login, agent_id, agent_role, trusted, visible_queue_ids, led_queue_ids
    FROM me;
END $fn$
