-- The sync engine (server/sync): per-mailbox and per-folder sync state, the facts it keeps for every
-- message and event occurrence inside the window, push subscriptions, and the per-organisation key
-- that addresses are hashed with. Times are ISO-8601 UTC text.

-- One random HMAC key per organisation (vault-encrypted), see server/sync/address-keys.ts.
CREATE TABLE sync_address_keys (
  organisation_id TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  key_blob TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Per mailbox (team member): the claim that makes a run exclusive, the schedule, and what the pane shows.
CREATE TABLE sync_mailboxes (
  member_id TEXT PRIMARY KEY REFERENCES team_members(id) ON DELETE CASCADE,
  -- A run holds the mailbox while run_id is set. A claim is a conditional UPDATE; a run whose
  -- heartbeat is older than the stuck bound is reset by the reaper and may be claimed again.
  run_id TEXT,
  run_started_at TEXT,
  heartbeat_at TEXT,
  -- Set when the history (6 months) of every folder and the calendar has been read once.
  history_started_at TEXT,
  history_done_at TEXT,
  last_success_at TEXT,
  last_error TEXT,
  last_error_at TEXT,
  retry_at TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  -- 'connection_lost' | 'revoked' | NULL. A paused mailbox is never claimed; its facts stay.
  paused_reason TEXT,
  next_due_at TEXT,
  -- "Sync now (resync)": every folder and the calendar restart their enumeration on the next run.
  resync_requested INTEGER NOT NULL DEFAULT 0,
  -- JSON {"drafts": "<folder id>", …}: well-known folder ids, resolved once (they never change).
  well_known_folders TEXT,
  updated_at TEXT NOT NULL
);

-- Per mail folder, plus one row (folder_id 'calendar', kind 'calendar') for the calendar view.
CREATE TABLE sync_folders (
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  folder_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('mail', 'calendar')),
  well_known TEXT,
  -- initial: the first (or a reset) delta round is running; backfill: the 5,000-message cap was hit and
  -- the older part of the window is read with the list endpoint; incremental: changes only.
  stage TEXT NOT NULL CHECK (stage IN ('initial', 'backfill', 'incremental')),
  -- The delta URL to call next: a nextLink while a round is under way, else the last deltaLink. NULL: start a round.
  cursor TEXT,
  -- Mail: receivedDateTime lower bound of the enumeration. Calendar: startDateTime of the view.
  window_start TEXT NOT NULL,
  -- Calendar only: endDateTime of the view, and when the window was anchored (it is re-anchored weekly).
  window_end TEXT,
  anchored_at TEXT,
  -- Backfill: the next list page reads receivedDateTime in [window_start, backfill_upper].
  backfill_upper TEXT,
  -- Enumeration generation: facts seen in the current round carry it; at the round's end the folder's
  -- facts with an older one were not seen and are removed (410 reset, resync, calendar re-anchor).
  generation INTEGER NOT NULL DEFAULT 1,
  -- Items read in the current enumeration (progress; cap detection) and the oldest receivedDateTime among them.
  enumerated INTEGER NOT NULL DEFAULT 0,
  oldest_seen TEXT,
  total_items INTEGER,
  last_success_at TEXT,
  last_error TEXT,
  retry_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (member_id, folder_id)
);

-- One fact per message (Graph immutable id) inside the window; see server/sync/facts.ts (MailFact).
CREATE TABLE sync_mail_facts (
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  graph_id TEXT NOT NULL,
  folder_id TEXT NOT NULL,
  internet_message_id TEXT,
  conversation_id TEXT,
  received_at TEXT NOT NULL,
  sent_at TEXT,
  is_draft INTEGER NOT NULL DEFAULT 0,
  -- JSON StoredParticipant[] (keyed hashes only).
  participants TEXT NOT NULL,
  seen_generation INTEGER NOT NULL,
  -- Set when the message left its folder (@removed, reconcile, folder gone). It may have moved to a
  -- folder not read yet (or a page may have arrived late): the run asks Graph for the message by id;
  -- found in a synced folder → the fact follows it, otherwise it is removed.
  pending_removal_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (member_id, graph_id)
);
CREATE INDEX sync_mail_facts_folder ON sync_mail_facts (member_id, folder_id);
CREATE INDEX sync_mail_facts_imid ON sync_mail_facts (internet_message_id) WHERE internet_message_id IS NOT NULL;
CREATE INDEX sync_mail_facts_received ON sync_mail_facts (member_id, received_at);
CREATE INDEX sync_mail_facts_pending ON sync_mail_facts (member_id, pending_removal_at) WHERE pending_removal_at IS NOT NULL;

-- One fact per event occurrence / single instance inside the calendar window (EventFact).
CREATE TABLE sync_event_facts (
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  graph_id TEXT NOT NULL,
  ical_uid TEXT,
  series_master_id TEXT,
  original_start TEXT,
  start_at TEXT NOT NULL,
  end_at TEXT NOT NULL,
  is_cancelled INTEGER NOT NULL DEFAULT 0,
  owner_response TEXT NOT NULL,
  participants TEXT NOT NULL,
  seen_generation INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (member_id, graph_id)
);
CREATE INDEX sync_event_facts_start ON sync_event_facts (member_id, start_at);
CREATE INDEX sync_event_facts_ical ON sync_event_facts (ical_uid) WHERE ical_uid IS NOT NULL;

-- Change-notification subscriptions (only when PUBLIC_URL is public HTTPS).
CREATE TABLE sync_subscriptions (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  resource TEXT NOT NULL,
  -- Random per subscription; notifications carrying another value are dropped (constant-time compare).
  client_state TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX sync_subscriptions_member ON sync_subscriptions (member_id);
