-- is_active_agent, version 4, applied by migration 0041_identity_who. Released files never change (migrations/sql/README.md).
-- Version 3's answer from session_who() instead of session_identity(): an active agent, or a trusted session
-- acting for nobody (the worker's own login). Still inlinable (SQL, SECURITY INVOKER, no SET, no FROM,
-- operators schema-qualified); the second call runs only when the first finds no agent. Every read policy
-- of "active staff" (queues, agents, customers, organisations, addresses) asks this: a page as an agent
-- evaluates it four or five times (issue 12).
CREATE OR REPLACE FUNCTION {{schema}}.is_active_agent()
    RETURNS boolean LANGUAGE sql STABLE
AS $fn$ SELECT ({{schema}}.session_who()).agent_id IS NOT NULL
               OR coalesce(({{schema}}.session_who()).trusted
                           AND ({{schema}}.session_who()).agent_role OPERATOR(pg_catalog.=) 'admin', false) $fn$
