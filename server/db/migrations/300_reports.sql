-- Reports (server/reports, docs/reports.md): indexes for the customer list, the history and the
-- drill-down, and the Impact dashboard's counts kept per day by triggers, so the dashboard reads a
-- few thousand counter rows instead of a million interactions.
--
-- A report "unit" (what the dashboard counts):
--   email   — one message of one customer's conversation, on the UTC day it was sent:
--             DISTINCT (interaction_id, message_key, day). Per team member: the members whose
--             mailbox holds a copy, DISTINCT (interaction_id, member_id, message_key, day).
--   meeting — one counted (not cancelled) meeting occurrence of one customer, on the UTC day it
--             starts. Per team member: the attendees in interaction_team_members.
-- The counters are exactly COUNT(DISTINCT …) of those keys; server/reports/impact.ts rebuilds them
-- from scratch with the same definitions (and the drill-down counts them live the same way).
--
-- The interactions engine only ever inserts and deletes interaction_messages / team member rows and
-- replaces interactions by DELETE + INSERT; the UPDATE triggers are there so any other writer keeps
-- the counters right too. Foreign-key cascades fire these triggers (the parent row is already gone
-- when a cascaded child's AFTER DELETE runs, hence the BEFORE DELETE on interactions for meetings).

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

-- The triggers' "is there another copy of this unit?" look-ups, and the per-member drill-down.
CREATE INDEX reports_messages_unit ON interaction_messages (interaction_id, message_key, at);
CREATE INDEX reports_messages_member_at ON interaction_messages (member_id, at);
-- History: newest first with (last_at, id) as the keyset.
CREATE INDEX reports_interactions_history ON interactions (customer_id, last_at, id);
-- Customer list: sort by last email reply; owner filter; name sort.
CREATE INDEX reports_activity_reply ON customer_activity (organisation_id, last_email_reply_at);
CREATE INDEX reports_customers_owner ON customers (organisation_id, owner_member_id);
CREATE INDEX reports_customers_name ON customers (organisation_id, name COLLATE NOCASE);

-- ───────────────────────────── emails: interaction_messages ─────────────────────────────
-- direction is set for every email copy and NULL for meeting copies.

CREATE TRIGGER report_email_insert AFTER INSERT ON interaction_messages
WHEN NEW.direction IS NOT NULL
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;

  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), NEW.member_id, 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key AND x.member_id = NEW.member_id
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

CREATE TRIGGER report_email_delete AFTER DELETE ON interaction_messages
WHEN OLD.direction IS NOT NULL
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10));
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;

  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key AND x.member_id = OLD.member_id
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10));
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND units <= 0;
END;

-- An update is a removal of the old copy (BEFORE: the old row still exists, so it is excluded by
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
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.rowid <> OLD.rowid);
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND kind = 'email' AND units <= 0;
  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.at, 1, 10) AND member_id = OLD.member_id AND kind = 'email'
    AND NOT EXISTS (
      SELECT 1 FROM interaction_messages x
      WHERE x.interaction_id = OLD.interaction_id AND x.message_key = OLD.message_key AND x.member_id = OLD.member_id
        AND substr(x.at, 1, 10) = substr(OLD.at, 1, 10) AND x.rowid <> OLD.rowid);
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
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.at, 1, 10), NEW.member_id, 'email', 1
  WHERE NOT EXISTS (
    SELECT 1 FROM interaction_messages x
    WHERE x.interaction_id = NEW.interaction_id AND x.message_key = NEW.message_key AND x.member_id = NEW.member_id
      AND substr(x.at, 1, 10) = substr(NEW.at, 1, 10) AND x.rowid <> NEW.rowid)
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- ───────────────────────────── meetings: interactions + team members ─────────────────────────────

CREATE TRIGGER report_meeting_insert AFTER INSERT ON interactions
WHEN NEW.kind = 'meeting' AND NEW.counted = 1
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  VALUES (NEW.organisation_id, substr(NEW.first_at, 1, 10), 'meeting', 1)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;
  -- Team member rows written before their interaction (not done by the engine) count now.
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.first_at, 1, 10), t.member_id, 'meeting', 1
  FROM interaction_team_members t WHERE t.interaction_id = NEW.id AND true
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- BEFORE: the team member rows still exist (a cascade removes them after the interaction).
CREATE TRIGGER report_meeting_delete BEFORE DELETE ON interactions
WHEN OLD.kind = 'meeting' AND OLD.counted = 1
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting'
    AND member_id IN (SELECT t.member_id FROM interaction_team_members t WHERE t.interaction_id = OLD.id);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
END;

CREATE TRIGGER report_meeting_update_old BEFORE UPDATE OF kind, counted, first_at, organisation_id ON interactions
WHEN OLD.kind = 'meeting' AND OLD.counted = 1
BEGIN
  UPDATE report_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting';
  DELETE FROM report_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
  UPDATE report_member_day_counts SET units = units - 1
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting'
    AND member_id IN (SELECT t.member_id FROM interaction_team_members t WHERE t.interaction_id = OLD.id);
  DELETE FROM report_member_day_counts
  WHERE organisation_id = OLD.organisation_id AND day = substr(OLD.first_at, 1, 10) AND kind = 'meeting' AND units <= 0;
END;

CREATE TRIGGER report_meeting_update_new AFTER UPDATE OF kind, counted, first_at, organisation_id ON interactions
WHEN NEW.kind = 'meeting' AND NEW.counted = 1
BEGIN
  INSERT INTO report_day_counts (organisation_id, day, kind, units)
  VALUES (NEW.organisation_id, substr(NEW.first_at, 1, 10), 'meeting', 1)
  ON CONFLICT (organisation_id, day, kind) DO UPDATE SET units = units + 1;
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT NEW.organisation_id, substr(NEW.first_at, 1, 10), t.member_id, 'meeting', 1
  FROM interaction_team_members t WHERE t.interaction_id = NEW.id AND true
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

CREATE TRIGGER report_meeting_member_insert AFTER INSERT ON interaction_team_members
BEGIN
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT i.organisation_id, substr(i.first_at, 1, 10), NEW.member_id, 'meeting', 1
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- Only direct removals: when the interaction itself is being deleted it is already gone here and
-- report_meeting_delete has counted its members out.
CREATE TRIGGER report_meeting_member_delete AFTER DELETE ON interaction_team_members
BEGIN
  UPDATE report_member_day_counts SET units = units - 1
  WHERE (organisation_id, day, member_id, kind) IN (
    SELECT i.organisation_id, substr(i.first_at, 1, 10), OLD.member_id, 'meeting'
    FROM interactions i WHERE i.id = OLD.interaction_id AND i.kind = 'meeting' AND i.counted = 1);
  DELETE FROM report_member_day_counts WHERE member_id = OLD.member_id AND kind = 'meeting' AND units <= 0
    AND (organisation_id, day) IN (SELECT i.organisation_id, substr(i.first_at, 1, 10) FROM interactions i WHERE i.id = OLD.interaction_id);
END;

CREATE TRIGGER report_meeting_member_update AFTER UPDATE OF interaction_id, member_id ON interaction_team_members
BEGIN
  UPDATE report_member_day_counts SET units = units - 1
  WHERE (organisation_id, day, member_id, kind) IN (
    SELECT i.organisation_id, substr(i.first_at, 1, 10), OLD.member_id, 'meeting'
    FROM interactions i WHERE i.id = OLD.interaction_id AND i.kind = 'meeting' AND i.counted = 1);
  DELETE FROM report_member_day_counts WHERE member_id = OLD.member_id AND kind = 'meeting' AND units <= 0;
  INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units)
  SELECT i.organisation_id, substr(i.first_at, 1, 10), NEW.member_id, 'meeting', 1
  FROM interactions i WHERE i.id = NEW.interaction_id AND i.kind = 'meeting' AND i.counted = 1
  ON CONFLICT (organisation_id, day, member_id, kind) DO UPDATE SET units = units + 1;
END;

-- ───────────────────────────── backfill what exists already ─────────────────────────────

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
