import { after, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { generateOrganisation, PRESETS, PRESET_NOW } from "../../emulator/generator/index";
import { openDatabase } from "../db/database";
import { directorySnapshot, listAliases } from "../directory/read";
import { removeDir, tempDir } from "../test-support/env";
import { seedDirectory } from "./seed-directory";

const dir = tempDir("seed");
after(() => removeDir(dir));

test("a generated organisation loads into the directory, idempotently", () => {
  const gen = generateOrganisation({ ...PRESETS.tiny, now: PRESET_NOW });
  const db = openDatabase(path.join(dir, "seed.db"));
  const first = seedDirectory(db, gen);
  const again = seedDirectory(db, gen, { organisationId: first.organisationId });
  assert.equal(again.organisationId, first.organisationId);

  const snap = directorySnapshot(db, first.organisationId);
  assert.equal(snap.members.length, gen.teamMembers.length);
  assert.equal(snap.customers.length, gen.customers.length);
  assert.equal(snap.users.length, gen.contacts.length);
  for (const d of gen.organisation.companyDomains) assert.ok(snap.companyDomains.includes(d));

  for (const m of gen.teamMembers) {
    const memberId = first.memberIdsByOid[m.oid]!;
    assert.ok(memberId, "members are linked to their Entra accounts");
    const member = snap.members.find((x) => x.id === memberId)!;
    assert.equal(member.entraTid, gen.tenant.id);
    assert.equal(member.isAdmin, m.isAdmin);
    const aliases = listAliases(db, memberId).map((a) => a.address);
    assert.deepEqual([...aliases].sort(), [...m.mailboxAliases.map((a) => a.toLowerCase())].sort());
    if (m.unregisteredAlias) assert.ok(!aliases.includes(m.unregisteredAlias.toLowerCase()), "the unregistered alias stays unregistered");
  }
  const withOwner = gen.customers[0]!;
  const owner = snap.members.find((m) => m.primaryAddress === withOwner.ownerAddress.toLowerCase())!;
  assert.equal(snap.customers.find((c) => c.externalId === withOwner.externalId)!.ownerMemberId, owner.id);
  const contact = gen.contacts[0]!;
  assert.equal(snap.users.find((u) => u.externalId === contact.externalId)!.createdAt, new Date(contact.createdAt).toISOString());
  db.close();
});
