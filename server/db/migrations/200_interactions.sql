-- The interactions engine (server/interactions): what the sync's facts became after the matching
-- rules decided them. Described for readers in docs/data-model.md. Times are ISO-8601 UTC text.
--
-- Nothing readable is kept about mail that did not match: rows exist here only for items that
-- synced (plus, for meetings, the copies a team member declined, which change who attended).

-- The decision the engine last made for each synced copy of a message or meeting occurrence, in a
-- team member's mailbox or calendar, and the item's readable details (only ever for these rows).
-- Folding these rows gives the interactions; retroactive capture compares fresh decisions with them.
CREATE TABLE interaction_facts (
  member_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'meeting')),
  -- The Graph immutable id in that member's mailbox / calendar (sync_mail_facts / sync_event_facts).
  graph_id TEXT NOT NULL,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  internet_message_id TEXT,
  conversation_id TEXT,
  ical_uid TEXT,
  original_start TEXT,
  -- Emails: sentDateTime (receivedDateTime when missing). Meetings: the occurrence's start.
  at TEXT NOT NULL,
  end_at TEXT,
  -- 1: the decision synced it. 0: a meeting copy the member declined (kept so they are not counted as attending).
  synced INTEGER NOT NULL CHECK (synced IN (0, 1)),
  -- The decision, compact JSON (see server/interactions/decisions.ts).
  decision TEXT NOT NULL,
  -- 1 when the sync dropped the fact because it aged out of the 6-month window: kept as last decided,
  -- so history older than the window stays, but never decided again.
  frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1)),
  -- present: subject/web_link/participants below are filled. missing: matched after the fact was
  -- stored (retroactive capture), fetched from Graph by id. gone: Graph no longer has the item.
  details_state TEXT NOT NULL CHECK (details_state IN ('present', 'missing', 'gone')),
  details_attempts INTEGER NOT NULL DEFAULT 0,
  details_retry_at TEXT,
  subject TEXT,
  web_link TEXT,
  -- JSON [{address, name, role}] as Graph reported them (only for synced items).
  participants TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (member_id, kind, graph_id)
);
CREATE INDEX interaction_facts_conversation ON interaction_facts (organisation_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX interaction_facts_imid ON interaction_facts (organisation_id, internet_message_id) WHERE internet_message_id IS NOT NULL;
CREATE INDEX interaction_facts_ical ON interaction_facts (organisation_id, ical_uid) WHERE ical_uid IS NOT NULL;
CREATE INDEX interaction_facts_details ON interaction_facts (details_state, details_retry_at) WHERE details_state = 'missing';

-- One per customer per email conversation, and one per customer per meeting occurrence.
CREATE TABLE interactions (
  -- Deterministic: a hash of (kind, customer, group_key). Changes when conversations merge or an
  -- earlier message of the conversation arrives later (the key is the earliest message's).
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'meeting')),
  -- Emails: the conversation key (internetMessageId of its earliest synced message). Meetings: the
  -- occurrence key ("i:" + iCalUId, the same in every attendee's calendar).
  group_key TEXT NOT NULL,
  -- NULL while the details of its messages are still being fetched ("(loading…)" in the pane).
  subject TEXT,
  -- Emails: first and last message (sent time). Meetings: both the occurrence's start.
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  -- Meetings: the occurrence's end.
  end_at TEXT,
  -- Emails: distinct messages (deduplicated across mailboxes by internetMessageId). Meetings: 0.
  message_count INTEGER NOT NULL,
  -- Emails: 'sent' when the last message came from a team member, else 'received'. Meetings: NULL.
  last_direction TEXT CHECK (last_direction IN ('sent', 'received')),
  -- Emails: the last message sent by one of this customer's contacts ("last email reply").
  last_reply_at TEXT,
  cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  -- 0 for cancelled meetings: shown, but not counted in last interaction or activity totals.
  counted INTEGER NOT NULL DEFAULT 1 CHECK (counted IN (0, 1)),
  -- 1 when a participant matched this customer through its domain field only.
  via_domain INTEGER NOT NULL DEFAULT 0 CHECK (via_domain IN (0, 1)),
  web_link TEXT,
  -- JSON [{address, name, kind: 'contact'|'team_member', userId?, memberId?}]: the people shown.
  participants TEXT NOT NULL DEFAULT '[]',
  -- JSON arrays of ids (also as rows in interaction_team_members for grouping).
  team_member_ids TEXT NOT NULL DEFAULT '[]',
  contact_user_ids TEXT NOT NULL DEFAULT '[]',
  -- 1 while some of its items' details are still to be fetched from Graph.
  details_pending INTEGER NOT NULL DEFAULT 0 CHECK (details_pending IN (0, 1)),
  updated_at TEXT NOT NULL
);
-- A customer's history newest first; customer_activity is recomputed from it only when the latest
-- interaction goes away (otherwise it is max-merged, see materialise.ts).
CREATE INDEX interactions_customer_last ON interactions (customer_id, last_at);
CREATE INDEX interactions_org_last ON interactions (organisation_id, last_at);

-- Which copies (member mailbox + Graph id) make up each interaction. A message seen in two
-- mailboxes has two rows with the same message_key; count DISTINCT message_key for messages.
CREATE TABLE interaction_messages (
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  organisation_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  graph_id TEXT NOT NULL,
  internet_message_id TEXT,
  -- "m:" + internetMessageId, else "g:" + member/graph id (meetings: the occurrence key).
  message_key TEXT NOT NULL,
  at TEXT NOT NULL,
  -- Emails, per message: 'sent' (from a team member) or 'received'; 1 when a contact of the customer sent it.
  direction TEXT CHECK (direction IN ('sent', 'received')),
  from_contact INTEGER NOT NULL DEFAULT 0 CHECK (from_contact IN (0, 1)),
  -- A rowid table on purpose: migration 300 (reports) has triggers that tell copies apart by rowid.
  PRIMARY KEY (interaction_id, member_id, graph_id)
);
CREATE INDEX interaction_messages_fact ON interaction_messages (member_id, graph_id);
CREATE INDEX interaction_messages_imid ON interaction_messages (organisation_id, internet_message_id) WHERE internet_message_id IS NOT NULL;

-- The team members involved in each interaction (declined meeting attendees left out).
CREATE TABLE interaction_team_members (
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL,
  organisation_id TEXT NOT NULL,
  PRIMARY KEY (interaction_id, member_id)
) WITHOUT ROWID;
CREATE INDEX interaction_team_members_member ON interaction_team_members (member_id, interaction_id);

-- Per customer, kept current with every change: what customer lists sort and filter by.
CREATE TABLE customer_activity (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  -- Latest email message or counted meeting that has started.
  last_interaction_at TEXT,
  -- Latest message sent by one of the customer's contacts.
  last_email_reply_at TEXT,
  -- Start of the next counted meeting: when it has passed, last_interaction_at is recomputed.
  next_meeting_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX customer_activity_org ON customer_activity (organisation_id, last_interaction_at);
CREATE INDEX customer_activity_due ON customer_activity (next_meeting_at) WHERE next_meeting_at IS NOT NULL;

-- What the stored interactions were decided with: when the directory or settings differ at
-- startup (changed by another process, or while the server was down), the window is decided again.
CREATE TABLE interaction_state (
  organisation_id TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  directory_version TEXT NOT NULL,
  decided_at TEXT NOT NULL
);
