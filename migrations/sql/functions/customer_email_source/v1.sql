-- customer_email_source, version 1, applied by migration 0034_email_source. Released files never change (migrations/sql/README.md).
-- Where a customer's address came from (customer_email.source), decided from the session, never from the
-- row a client sends: a staff login (an agent, a team lead, an admin, through the client or psql) only ever
-- writes 'staff', whatever it says; a trusted session (the worker's login, a member of the owner role; the
-- demo loader; migrations; a superuser) writes what it says, 'intake' when it says nothing: intake takes
-- the address from the sender (a mail's From, a web form, a chat), and only trusted sessions run it. On an
-- UPDATE by staff (no grant today; a guard should one ever be given) the source stays as it was while the
-- address and its customer do, and becomes 'staff' when either changes. Rules count only 'intake' addresses
-- as the customer's own (connectors.verify, account_verify_store version 3).
CREATE OR REPLACE FUNCTION {{schema}}.customer_email_source()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
BEGIN
    IF is_trusted_session() IS TRUE THEN
        NEW.source := coalesce(NEW.source, CASE WHEN TG_OP = 'UPDATE' THEN OLD.source END, 'intake');
    ELSIF TG_OP = 'UPDATE' AND NEW.customer_id IS NOT DISTINCT FROM OLD.customer_id
          AND lower(NEW.address) IS NOT DISTINCT FROM lower(OLD.address) THEN
        NEW.source := OLD.source;
    ELSE
        NEW.source := 'staff';
    END IF;
    RETURN NEW;
END $fn$
