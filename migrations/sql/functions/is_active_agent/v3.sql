-- is_active_agent, version 3, applied by migration 0025_sla_worker. Released files never change (migrations/sql/README.md).
-- Also true for a trusted session acting for nobody (the worker's own login, a member of the owner role:
-- session_identity() gives it the admin role without an agent row). Version 2 asked for an agent row, so
-- every policy that admits "active staff" hid its rows from the worker: under its own login the SLA sweep
-- read no policy and no calendar and escalated nothing. A login outside the owner role is never trusted;
-- a trusted session acting for someone is exactly that someone. Still inlinable (SQL, SECURITY INVOKER, no
-- SET, no FROM, operators schema-qualified); the second call runs only when the first finds no agent.
CREATE OR REPLACE FUNCTION {{schema}}.is_active_agent()
    RETURNS boolean LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_identity()).agent_id IS NOT NULL
               OR coalesce(({{schema}}.session_identity()).trusted
                           AND ({{schema}}.session_identity()).agent_role OPERATOR(pg_catalog.=) 'admin', false) $fn$
