-- A customer's latest interactions (the pane's preview, the profile's first page) are read
-- "ORDER BY last_at DESC, id": with id in the index that is a plain backwards index walk, where
-- (customer_id, last_at) alone left SQLite sorting the ties in a temporary b-tree on every call.
-- Replaces the old index rather than adding one: the sync pays for every index on interactions.
DROP INDEX IF EXISTS interactions_customer_last;
CREATE INDEX interactions_customer_last ON interactions (customer_id, last_at, id);
