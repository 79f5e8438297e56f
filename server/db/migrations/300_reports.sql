-- Reports (server/reports, docs/reports.md): derived tables kept current by triggers on the
-- interactions engine's tables (inside its transactions) — counters per organisation-, member- and
-- customer-day, meeting attendance by time, a compact customer-list table — plus the indexes the
-- history and drill-downs page along. The dashboard reads a few hundred counter rows instead of a
-- million interactions; a customer-list page walks one small index.
--
-- A report "unit" (what is counted):
--   email   — one message of one customer's conversation, on the UTC day it was sent:
--             DISTINCT (interaction_id, message_key, day). Per team member: the members whose
--             mailbox holds a copy, DISTINCT (interaction_id, member_id, message_key, day).
--   meeting — one counted (not cancelled) meeting occurrence of one customer, on the UTC day it
--             starts. Per team member: the attendees in interaction_team_members.
-- Counters per organisation-day, member-day and customer-day are exactly COUNT(DISTINCT …) of those
-- keys; server/reports/impact.ts rebuilds and verifies them with the same definitions (and the
-- drill-down counts them live the same way).
--
-- The interactions engine only ever inserts and deletes interaction_messages / team member rows and
-- replaces interactions by DELETE + INSERT; the UPDATE triggers are there so any other writer keeps
-- the counters right too. Foreign-key cascades fire these triggers (the parent row is already gone
-- when a cascaded child's AFTER DELETE runs, hence the BEFORE DELETE on interactions, which counts
-- out what needs the parent: meeting attendees and the customer's emails).

CREATE TABLE report_day_counts (
  organisation_id TEXT NOT NULL,
  -- YYYY-MM-DD, UTC.
  day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'meeting')),
  units INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, day, kind)
) WITHOUT ROWID;

CREATE TABLE report_member_day_counts (
  organisation_id TEXT NOT NULL,
  day TEXT NOT NULL,
  member_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'meeting')),
  units INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, day, member_id, kind)
) WITHOUT ROWID;

-- Per customer: the customer list's and the relationship activity's "emails and meetings in the
-- last N days" are sums over a few rows of this.
CREATE TABLE report_customer_day_counts (
  customer_id TEXT NOT NULL,
  day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'meeting')),
  organisation_id TEXT NOT NULL,
  units INTEGER NOT NULL,
  PRIMARY KEY (customer_id, day, kind)
) WITHOUT ROWID;
CREATE INDEX report_customer_day_counts_org ON report_customer_day_counts (organisation_id);

-- Who attended which counted meeting when: the per-member meetings drill-down reads a range of this
-- (interaction_team_members has no time, and probing it per meeting costs a random read each).
CREATE TABLE report_meeting_members (
  organisation_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  start_at TEXT NOT NULL,
  interaction_id TEXT NOT NULL,
  PRIMARY KEY (organisation_id, member_id, start_at, interaction_id)
) WITHOUT ROWID;
CREATE INDEX report_meeting_members_interaction ON report_meeting_members (interaction_id);

-- Trigger look-ups ("another copy of this unit?") read only this index; the activity and drill-down
-- queries too (it covers every column they need).
CREATE INDEX reports_messages_unit ON interaction_messages (interaction_id, message_key, member_id, at, direction, from_contact);
-- The per-member and per-day email drill-downs.
CREATE INDEX reports_messages_member_at ON interaction_messages (member_id, at);
CREATE INDEX reports_messages_org_at ON interaction_messages (organisation_id, at);
-- A customer's emails / counted meetings in a time range (covering, with the id to join messages);
-- meetings per organisation and day for the drill-down.
CREATE INDEX reports_interactions_customer ON interactions (customer_id, kind, counted, last_at, id);
CREATE INDEX reports_interactions_meetings ON interactions (organisation_id, first_at, id) WHERE kind = 'meeting' AND counted = 1;
-- The customer list: one compact row per customer (~200 bytes) with what the list shows, sorts and
-- filters by, so a page reads one small index instead of thousands of random rows across
-- customers, customer_activity and team_members. Kept by the triggers below from those two tables.
CREATE TABLE report_customer_list (
  organisation_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  external_id TEXT NOT NULL,
  owner_member_id TEXT,
  last_interaction_at TEXT,
  last_email_reply_at TEXT,
  PRIMARY KEY (organisation_id, customer_id)
) WITHOUT ROWID;
-- One index per sort order the list offers (the ORDER BY expressions in server/reports/customers.ts
-- must match these exactly), each covering the whole row: a page is a walk of one index that stops
-- after the page, filters included, and never sorts. Newest-first and oldest-first need their own
-- index because ties are always by name A→Z.
CREATE INDEX reports_list_last_desc ON report_customer_list
  (organisation_id, COALESCE(last_interaction_at, '') DESC, name COLLATE NOCASE, customer_id, owner_member_id, last_interaction_at, last_email_reply_at, external_id);
CREATE INDEX reports_list_last_asc ON report_customer_list
  (organisation_id, COALESCE(last_interaction_at, ''), name COLLATE NOCASE, customer_id, owner_member_id, last_interaction_at, last_email_reply_at, external_id);
CREATE INDEX reports_list_reply_desc ON report_customer_list
  (organisation_id, COALESCE(last_email_reply_at, '') DESC, name COLLATE NOCASE, customer_id, owner_member_id, last_interaction_at, last_email_reply_at, external_id);
CREATE INDEX reports_list_reply_asc ON report_customer_list
  (organisation_id, COALESCE(last_email_reply_at, ''), name COLLATE NOCASE, customer_id, owner_member_id, last_interaction_at, last_email_reply_at, external_id);
CREATE INDEX reports_list_name ON report_customer_list
  (organisation_id, name COLLATE NOCASE, customer_id, owner_member_id, last_interaction_at, last_email_reply_at, external_id);

-- ───────────────────────────── emails: interaction_messages ─────────────────────────────
-- direction is set for every email copy and NULL for meeting copies. A copy counts when no other
-- copy (another rowid) of the same unit exists; it is counted out when the last copy goes.

CREATE TRIGGER report_email_insert AFTER INSERT ON interaction_messages
WHEN NEW.direction IS NOT NULL
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;

  INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
  SELECT i.customer_id, substr(NEW.at, 1, 10), 'email', NEW.organisation_id, 1
  FROM interactions i
  WHERE i.id = NEW.interaction_id AND NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (customer_id, day, kind) DO UPDATE SET units = units + 1;

  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), NEW.member_id, 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key AND x.member_id = NEW.member_id
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- When the interaction itself is being deleted it is gone by now: report_interaction_delete has
-- counted its emails out of the customer's counters already, so the customer part finds nothing.
CREATE TRIGGER report_email_delete AFTER DELETE ON interaction_messages
WHEN OLD.direction IS NOT NULL
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL);
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;

  UPDATE report_customer_day_counts SET units = units - 1
  WHERE customer_id = (SELECT i.customer_id FROM interactions i WHERE i.id = OLD.interaction_id)
    AND day = substr(OLD.at, 1, 10) AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL);
  DELETE FROM report_customer_day_counts
  WHERE customer_id = (SELECT i.customer_id FROM interactions i WHERE i.id = OLD.interaction_id)
    AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;

  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key AND x.member_id = OLD.member_id
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND units <= 0;
END;

-- An update is a removal of the old copy (BEFORE: the row still exists, so it is excluded by
-- rowid) followed by an insertion of the new one (AFTER).
CREATE TRIGGER report_email_update_old BEFORE UPDATE OF interaction_id, organisation_id, member_id, message_key, at, direction
ON interaction_messages
WHEN OLD.direction IS NOT NULL
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> OLD.rowid);
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;

  UPDATE report_customer_day_counts SET units = units - 1
  WHERE customer_id = (SELECT i.customer_id FROM interactions i WHERE i.id = OLD.interaction_id)
    AND day = substr(OLD.at, 1, 10) AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> OLD.rowid);
  DELETE FROM report_customer_day_counts
  WHERE customer_id = (SELECT i.customer_id FROM interactions i WHERE i.id = OLD.interaction_id)
    AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;

  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key AND x.member_id = OLD.member_id
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> OLD.rowid);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND units <= 0;
END;

CREATE TRIGGER report_email_update_new AFTER UPDATE OF interaction_id, organisation_id, member_id, message_key, at, direction
ON interaction_messages
WHEN NEW.direction IS NOT NULL
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;

  INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
  SELECT i.customer_id, substr(NEW.at, 1, 10), 'email', NEW.organisation_id, 1
  FROM interactions i
  WHERE i.id = NEW.interaction_id AND NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (customer_id, day, kind) DO UPDATE SET units = units + 1;

  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), NEW.member_id, 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key AND x.member_id = NEW.member_id
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.direction IS NOT NULL AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- ───────────────────────────── interactions ─────────────────────────────

CREATE TRIGGER report_meeting_insert AFTER INSERT ON interactions
WHEN NEW.kind = 'meeting' AND NEW.counted = 1
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  VALUES (NEW.organisation_id, substr(NEW.first_at, 1, 10), 'meeting', 1)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;
  INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
  VALUES (NEW.customer_id, substr(NEW.first_at, 1, 10), 'meeting', NEW.organisation_id, 1)
  ON CONFLICT (customer_id, day, kind) DO UPDATE SET units = units + 1;
  -- Team member rows written before their interaction (the engine never does) count now.
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.first_at, 1, 10), t.member_id, 'meeting', 1
  FROM interaction_team_members t WHERE t.interaction_id = NEW.id AND true
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
  INSERT OR IGNORE INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id)
  SELECT NEW.organisation_id, t.member_id, NEW.first_at, NEW.id FROM interaction_team_members t WHERE t.interaction_id = NEW.id;
END;

-- BEFORE: the interaction's messages and team member rows still exist (a cascade removes them
-- after it, when the interaction — and so the customer — can no longer be looked up).
CREATE TRIGGER report_interaction_delete BEFORE DELETE ON interactions
BEGIN
  UPDATE report_customer_day_counts
  SET units = units - (
    SELECT COUNT(DISTINCT m.message_key) FROM interaction_messages m
    WHERE m.interaction_id = OLD.id AND m.direction IS NOT NULL AND substr(m.at, 1, 10) = report_customer_day_counts.day)
  WHERE OLD.kind = 'email' AND customer_id = OLD.customer_id AND kind = 'email'
    AND day IN (SELECT substr(m.at, 1, 10) FROM interaction_messages m WHERE m.interaction_id = OLD.id AND m.direction IS NOT NULL);

  UPDATE report_customer_day_counts SET units = units - 1
  WHERE OLD.kind = 'meeting' AND OLD.counted = 1 AND customer_id = OLD.customer_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_customer_day_counts WHERE customer_id = OLD.customer_id AND units <= 0;

  UPDATE report_day_counts SET units = units - 1
  WHERE OLD.kind = 'meeting' AND OLD.counted = 1
    AND organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;

  UPDATE report_member_day_counts SET units = units - 1
  WHERE OLD.kind = 'meeting' AND OLD.counted = 1
    AND organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting'
    AND member_id IN (SELECT t.member_id FROM interaction_team_members t WHERE t.interaction_id = OLD.id);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;

  DELETE FROM report_meeting_members WHERE interaction_id = OLD.id;
END;

-- The engine replaces interactions instead of updating these columns (the id hashes the customer);
-- for any other writer, a change of what a meeting counts as is a removal then an insertion.
CREATE TRIGGER report_meeting_update_old BEFORE UPDATE OF kind, counted, first_at, organisation_id, customer_id ON interactions
WHEN OLD.kind = 'meeting' AND OLD.counted = 1
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
  UPDATE report_customer_day_counts SET units = units - 1
  WHERE customer_id = OLD.customer_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_customer_day_counts WHERE customer_id = OLD.customer_id AND units <= 0;
  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting'
    AND member_id IN (SELECT t.member_id FROM interaction_team_members t WHERE t.interaction_id = OLD.id);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
  DELETE FROM report_meeting_members WHERE interaction_id = OLD.id;
END;

CREATE TRIGGER report_meeting_update_new AFTER UPDATE OF kind, counted, first_at, organisation_id, customer_id ON interactions
WHEN NEW.kind = 'meeting' AND NEW.counted = 1
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  VALUES (NEW.organisation_id, substr(NEW.first_at, 1, 10), 'meeting', 1)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;
  INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
  VALUES (NEW.customer_id, substr(NEW.first_at, 1, 10), 'meeting', NEW.organisation_id, 1)
  ON CONFLICT (customer_id, day, kind) DO UPDATE SET units = units + 1;
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.first_at, 1, 10), t.member_id, 'meeting', 1
  FROM interaction_team_members t WHERE t.interaction_id = NEW.id AND true
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
  INSERT OR IGNORE INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id)
  SELECT NEW.organisation_id, t.member_id, NEW.first_at, NEW.id FROM interaction_team_members t WHERE t.interaction_id = NEW.id;
END;

-- ───────────────────────────── meeting attendees: interaction_team_members ─────────────────────────────

CREATE TRIGGER report_meeting_member_insert AFTER INSERT ON interaction_team_members
BEGIN
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT i.organisation_id, substr(i.first_at, 1, 10), NEW.member_id, 'meeting', 1
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
  INSERT OR IGNORE INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id)
  SELECT i.organisation_id, NEW.member_id, i.first_at, i.id
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1;
END;

-- Only direct removals: when the interaction itself is being deleted it is already gone here and
-- report_interaction_delete has counted its members out.
CREATE TRIGGER report_meeting_member_delete AFTER DELETE ON interaction_team_members
BEGIN
  UPDATE report_member_day_counts SET units = units - 1
  WHERE (organisation_id, day, member_id, kind) IN (
    SELECT i.organisation_id, substr(i.first_at, 1, 10), OLD.member_id, 'meeting'
    FROM interactions i WHERE i.id = OLD.interaction_id AND i.kind = 'meeting' AND i.counted = 1);
  DELETE FROM report_member_day_counts WHERE member_id = OLD.member_id AND kind = 'meeting' AND units <= 0
    AND (organisation_id, day) IN (SELECT i.organisation_id, substr(i.first_at, 1, 10) FROM interactions i WHERE i.id = OLD.interaction_id);
  DELETE FROM report_meeting_members WHERE interaction_id = OLD.interaction_id AND member_id = OLD.member_id;
END;

CREATE TRIGGER report_meeting_member_update AFTER UPDATE OF interaction_id, member_id ON interaction_team_members
BEGIN
  UPDATE report_member_day_counts SET units = units - 1
  WHERE (organisation_id, day, member_id, kind) IN (
    SELECT i.organisation_id, substr(i.first_at, 1, 10), OLD.member_id, 'meeting'
    FROM interactions i WHERE i.id = OLD.interaction_id AND i.kind = 'meeting' AND i.counted = 1);
  DELETE FROM report_member_day_counts WHERE member_id = OLD.member_id AND kind = 'meeting' AND units <= 0;
  DELETE FROM report_meeting_members WHERE interaction_id = OLD.interaction_id AND member_id = OLD.member_id;
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT i.organisation_id, substr(i.first_at, 1, 10), NEW.member_id, 'meeting', 1
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
  INSERT OR IGNORE INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id)
  SELECT i.organisation_id, NEW.member_id, i.first_at, i.id
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1;
END;

-- ───────────────────────────── the customer list: customers + customer_activity ─────────────────────────────

CREATE TRIGGER report_list_customer_insert AFTER INSERT ON customers
BEGIN
  INSERT OR REPLACE INTO report_customer_list (organisation_id, customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at)
  SELECT NEW.organisation_id, NEW.id, NEW.name, NEW.external_id, NEW.owner_member_id, a.last_interaction_at, a.last_email_reply_at
  FROM (SELECT 1) LEFT JOIN customer_activity a ON a.customer_id = NEW.id;
END;

CREATE TRIGGER report_list_customer_update AFTER UPDATE OF organisation_id, id, name, external_id, owner_member_id ON customers
BEGIN
  DELETE FROM report_customer_list WHERE organisation_id = OLD.organisation_id AND customer_id = OLD.id;
  INSERT OR REPLACE INTO report_customer_list (organisation_id, customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at)
  SELECT NEW.organisation_id, NEW.id, NEW.name, NEW.external_id, NEW.owner_member_id, a.last_interaction_at, a.last_email_reply_at
  FROM (SELECT 1) LEFT JOIN customer_activity a ON a.customer_id = NEW.id;
END;

CREATE TRIGGER report_list_customer_delete AFTER DELETE ON customers
BEGIN
  DELETE FROM report_customer_list WHERE organisation_id = OLD.organisation_id AND customer_id = OLD.id;
END;

CREATE TRIGGER report_list_activity_insert AFTER INSERT ON customer_activity
BEGIN
  UPDATE report_customer_list SET last_interaction_at = NEW.last_interaction_at, last_email_reply_at = NEW.last_email_reply_at
  WHERE organisation_id = NEW.organisation_id AND customer_id = NEW.customer_id;
END;

CREATE TRIGGER report_list_activity_update AFTER UPDATE OF last_interaction_at, last_email_reply_at, customer_id, organisation_id ON customer_activity
BEGIN
  UPDATE report_customer_list SET last_interaction_at = NULL, last_email_reply_at = NULL
  WHERE (OLD.customer_id <> NEW.customer_id OR OLD.organisation_id <> NEW.organisation_id)
    AND organisation_id = OLD.organisation_id AND customer_id = OLD.customer_id;
  UPDATE report_customer_list SET last_interaction_at = NEW.last_interaction_at, last_email_reply_at = NEW.last_email_reply_at
  WHERE organisation_id = NEW.organisation_id AND customer_id = NEW.customer_id;
END;

CREATE TRIGGER report_list_activity_delete AFTER DELETE ON customer_activity
BEGIN
  UPDATE report_customer_list SET last_interaction_at = NULL, last_email_reply_at = NULL
  WHERE organisation_id = OLD.organisation_id AND customer_id = OLD.customer_id;
END;

-- ───────────────────────────── backfill what exists already ─────────────────────────────
-- The same SELECTs as ImpactReports.rebuild() (server/reports/impact.ts).

INSERT INTO report_day_counts (organisation_id, day, kind, units)
SELECT organisation_id, day, 'email', COUNT(*) FROM (
  SELECT DISTINCT organisation_id, interaction_id, message_key, substr(at, 1, 10) AS day
  FROM interaction_messages WHERE direction IS NOT NULL)
GROUP BY organisation_id, day;

INSERT INTO report_day_counts (organisation_id, day, kind, units)
SELECT organisation_id, substr(first_at, 1, 10), 'meeting', COUNT(*)
FROM interactions WHERE kind = 'meeting' AND counted = 1
GROUP BY organisation_id, substr(first_at, 1, 10);

INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
SELECT organisation_id, day, member_id, 'email', COUNT(*) FROM (
  SELECT DISTINCT organisation_id, interaction_id, member_id, message_key, substr(at, 1, 10) AS day
  FROM interaction_messages WHERE direction IS NOT NULL)
GROUP BY organisation_id, day, member_id;

INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
SELECT i.organisation_id, substr(i.first_at, 1, 10), t.member_id, 'meeting', COUNT(*)
FROM interactions i JOIN interaction_team_members t ON t.interaction_id = i.id
WHERE i.kind = 'meeting' AND i.counted = 1
GROUP BY i.organisation_id, substr(i.first_at, 1, 10), t.member_id;

INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
SELECT i.customer_id, u.day, 'email', i.organisation_id, COUNT(*) FROM (
  SELECT DISTINCT interaction_id, message_key, substr(at, 1, 10) AS day
  FROM interaction_messages WHERE direction IS NOT NULL) AS u
JOIN interactions i ON i.id = u.interaction_id
GROUP BY i.customer_id, u.day;

INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units)
SELECT customer_id, substr(first_at, 1, 10), 'meeting', organisation_id, COUNT(*)
FROM interactions WHERE kind = 'meeting' AND counted = 1
GROUP BY customer_id, substr(first_at, 1, 10);

INSERT INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id)
SELECT i.organisation_id, t.member_id, i.first_at, i.id
FROM interactions i JOIN interaction_team_members t ON t.interaction_id = i.id
WHERE i.kind = 'meeting' AND i.counted = 1;

INSERT INTO report_customer_list (organisation_id, customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at)
SELECT c.organisation_id, c.id, c.name, c.external_id, c.owner_member_id, a.last_interaction_at, a.last_email_reply_at
FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id;
