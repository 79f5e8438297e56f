-- Reports, faster (server/reports, docs/reports.md "How it stays fast"), measured by
-- `npm run bench -- reports` over 1,000,000 interactions / 2,460,000 message copies:
--
-- 1. The email drill-downs (a member's bar, a day's bar) read a time range of message copies and
--    need interaction_id, message_key and direction of each. Migration 300's (member_id, at) and
--    (organisation_id, at) indexes made that a random row read per copy (a 30-day member bar:
--    ~3,500 of them; a day: ~5,700; a year: ~41,000). These replace them with covering indexes that
--    start with the same columns, so every query that used the old ones can use these, and a bar is
--    one contiguous index range (about 2–3× faster; the org-wide one also covers the counters'
--    recount of emails per day).
-- 2. The customer list's count for the owner filter ("my customers", with or without "quiet for
--    more than N days") read every customer's list row; this index makes it a range of the owner's.
--    (The quiet filter itself is written as COALESCE(last_interaction_at, '') < ?, which the
--    reports_list_last_* indexes of migration 300 answer with a range.)

DROP INDEX IF EXISTS reports_messages_member_at;
DROP INDEX IF EXISTS reports_messages_org_at;
CREATE INDEX reports_messages_member_units ON interaction_messages (member_id, at, direction, interaction_id, message_key, organisation_id);
CREATE INDEX reports_messages_org_units ON interaction_messages (organisation_id, at, direction, interaction_id, message_key);

CREATE INDEX reports_list_owner ON report_customer_list (organisation_id, owner_member_id, COALESCE(last_interaction_at, ''));
