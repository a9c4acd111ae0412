-- session_identity, version 1, applied by migration 0008_performance. Released files never change (migrations/sql/README.md).
-- Who is acting, in one query with no nested calls: the login (a trusted session — a superuser or a
-- member of the owner role — may act for an agent through switchboard.acting_login), its active agent
-- (by the unique index on db_login), the agent's role (a trusted session acting for nobody is an admin),
-- the queues it sees and the queues it leads. The identity helpers (current_login(), current_agent_id(),
-- visible_queue_ids() ...) are inlinable one-liners over this function, so a policy's
-- `(SELECT current_agent_id())` is one call of this function per statement, whatever the rows.
CREATE OR REPLACE FUNCTION {{schema}}.session_identity(
    OUT login name, OUT agent_id bigint, OUT agent_role text, OUT trusted boolean,
    OUT visible_queue_ids bigint[], OUT led_queue_ids bigint[])
    RETURNS record LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
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
    FROM me $fn$
