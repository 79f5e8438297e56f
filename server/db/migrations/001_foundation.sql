-- The directory (organisations, team members, customers, their contacts) and the Microsoft 365
-- connections. Addresses and domains are stored lower-case; the code normalises before writing.
-- Times are ISO-8601 UTC text.

CREATE TABLE organisations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- sha256 of the organisation API key (sk_…); the key itself is shown once and never stored.
  api_key_hash TEXT UNIQUE,
  -- Bumped by every directory write (API or CLI import): lets a running sync notice changes
  -- made by another process.
  directory_updated_at TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE team_members (
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name TEXT NOT NULL,
  primary_address TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  -- The Microsoft Entra object id and tenant id: how a pane token is mapped to a member.
  entra_oid TEXT,
  entra_tid TEXT,
  sync_to_customers_by_domain INTEGER NOT NULL DEFAULT 0 CHECK (sync_to_customers_by_domain IN (0, 1)),
  sync_unknown_sender INTEGER NOT NULL DEFAULT 0 CHECK (sync_unknown_sender IN (0, 1)),
  sync_unknown_organizer INTEGER NOT NULL DEFAULT 0 CHECK (sync_unknown_organizer IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (organisation_id, external_id),
  UNIQUE (organisation_id, primary_address)
);
-- One Microsoft account is one team member, whatever the organisation.
CREATE UNIQUE INDEX team_members_entra ON team_members (entra_tid, entra_oid) WHERE entra_oid IS NOT NULL;

CREATE TABLE member_aliases (
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('manual', 'discovered')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (member_id, address)
);
CREATE INDEX member_aliases_address ON member_aliases (address);

-- Mail between company addresses is internal and never synced. source 'team_member' rows are
-- derived from team members' primary addresses and rewritten whenever team members change.
CREATE TABLE company_domains (
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('team_member', 'admin')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (organisation_id, domain, source)
);

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name TEXT NOT NULL,
  owner_member_id TEXT REFERENCES team_members(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (organisation_id, external_id)
);

-- The customer's custom "domain" field (several allowed).
CREATE TABLE customer_domains (
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  PRIMARY KEY (customer_id, domain)
);
CREATE INDEX customer_domains_lookup ON customer_domains (organisation_id, domain);

-- Customer contacts ("users" in Startdeliver). The same address may be on several users.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  -- When the record was created in the product: mail before it did not match this user.
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (organisation_id, external_id)
);
CREATE INDEX users_address ON users (organisation_id, address);
CREATE INDEX users_customer ON users (customer_id);

-- One Microsoft 365 connection per team member. The row outlives a revoke so history and
-- explanations stay; token_blob (the member's MSAL token cache, vault-encrypted) does not.
CREATE TABLE connections (
  member_id TEXT PRIMARY KEY REFERENCES team_members(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('not_connected', 'connected', 'admin_consent_required', 'connection_lost')),
  tenant_id TEXT,
  account_oid TEXT,
  account_address TEXT,
  home_account_id TEXT,
  token_blob TEXT,
  scopes TEXT,
  last_error TEXT,
  admin_consent_url TEXT,
  connected_at TEXT,
  revoked_at TEXT,
  lost_at TEXT,
  updated_at TEXT NOT NULL
);

-- The connect flow: a single-use link for the Office dialog (session_hash), then a single-use
-- OAuth state (state_hash) bound to the browser that started it. Only hashes and the
-- vault-encrypted PKCE verifier are stored.
CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
  session_hash TEXT NOT NULL UNIQUE,
  state_hash TEXT UNIQUE,
  browser_hash TEXT,
  pkce_verifier TEXT,
  nonce TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  outcome TEXT
);
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);
