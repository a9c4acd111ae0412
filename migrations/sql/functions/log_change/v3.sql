-- log_change, version 3, applied by migration 0049_probe_fixes_6. Released files never change (migrations/sql/README.md).
-- Version 3: a customer's new address is a change of the customer (entity 'customer', its id): an admin
-- gave a customer a second primary address and no client heard of it (nor did the search index, which
-- finds customers by their addresses).
-- Everything else as version 2, whose notes follow.
-- One entry per changed row, written once per statement from its transition table (new_rows); the
-- NOTIFY says only "something changed", once per statement that changed something (PostgreSQL folds
-- identical notifications of one transaction into one, delivered at commit).
CREATE OR REPLACE FUNCTION {{schema}}.log_change()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, {{schema}}, pg_temp
AS $fn$
    DECLARE entity text := TG_ARGV[0]; operation text := lower(TG_OP);
    BEGIN
        IF entity = 'ticket_link' THEN
            INSERT INTO change_log (entity, entity_id, ticket_id, operation)
            SELECT 'ticket', x.ticket, x.ticket, 'update'
            FROM new_rows n CROSS JOIN LATERAL (VALUES (1, n.related_ticket_id), (2, n.ticket_id)) AS x(position, ticket)
            ORDER BY n.ticket_id, n.related_ticket_id, x.position;
        ELSIF entity = 'customer_email' THEN
            INSERT INTO change_log (entity, entity_id, ticket_id, operation)
            SELECT DISTINCT 'customer', n.customer_id, NULL::bigint, 'update' FROM new_rows n ORDER BY 2;
        ELSIF entity = 'ticket' THEN
            INSERT INTO change_log (entity, entity_id, ticket_id, operation)
            SELECT 'ticket', n.id, n.id, operation FROM new_rows n ORDER BY n.id;
        ELSIF entity = 'message' THEN
            INSERT INTO change_log (entity, entity_id, ticket_id, operation)
            SELECT 'message', n.id, n.ticket_id, operation FROM new_rows n ORDER BY n.id;
        ELSE
            INSERT INTO change_log (entity, entity_id, ticket_id, operation)
            SELECT entity, n.id, NULL, operation FROM new_rows n ORDER BY n.id;
        END IF;
        IF FOUND THEN
            PERFORM pg_notify('switchboard_changes', '');
        END IF;
        RETURN NULL;
    END $fn$
