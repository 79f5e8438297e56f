/**
 * The pane's preview of the open message: which customers it belongs to, decided by the same
 * decideMessage the sync uses (on plain addresses, against the organisation's in-memory index),
 * with each customer's last interaction, last email reply and latest interactions.
 */
import type { CustomerMatch, OpenMessage, PreviewResponse } from "../../shared/api/contract";
import { decideMessage, type Decision } from "../../shared/matching/decide";
import { messageFacts } from "../../shared/matching/participants";
import { plainKeys } from "../../shared/matching/directory";
import type { OrgDirectory } from "./directory-cache";
import type { InteractionReads } from "./read";

function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const NOT_SYNCED_BECAUSE: Partial<Record<Decision["outcome"], string>> = {
  draft: "it's a draft; it syncs once it's sent",
  sender_unknown: "the sender isn't a team member or a user in Startdeliver",
  sender_unknown_no_team_member_recipient: "the sender isn't known and no team member is a recipient",
  no_customer_contact: "no customer contact is a recipient",
};

export function previewSummary(decision: Decision, names: readonly string[]): string {
  if (names.length === 0) {
    if (decision.outcome === "internal") return "Internal email: everyone on it is a team member or uses a company domain.";
    return "No customer contact in this email.";
  }
  if (decision.sync) return `Syncs to ${listWords(names)}.`;
  const why = NOT_SYNCED_BECAUSE[decision.outcome] ?? decision.outcome;
  return `Matches ${listWords(names)}, but it doesn't sync: ${why}.`;
}

export function previewMessage(
  dir: OrgDirectory,
  memberId: string,
  message: OpenMessage,
  reads: InteractionReads,
  now: Date,
  refreshActivity?: (customerId: string) => void,
  recent = 5,
): PreviewResponse {
  const member = dir.contexts.get(memberId);
  if (!member) throw new Error(`Team member ${memberId} is not in organisation ${dir.organisationId}`);
  // A message being composed has no sender yet: it will be sent by the member.
  const from = message.from ?? { address: dir.index.members.get(memberId)?.primaryAddress ?? "" };
  const facts = messageFacts({ from, to: message.to, cc: message.cc, at: message.dateTimeCreated ?? null }, plainKeys);
  const decision = decideMessage(facts, dir.index, member);
  const customers: CustomerMatch[] = [];
  for (const hit of decision.customers) {
    const summary = reads.customerSummary(dir.organisationId, hit.customerId, now, recent, refreshActivity);
    if (!summary) continue;
    const matchedContacts: CustomerMatch["matchedContacts"] = [];
    for (const userId of hit.userIds) {
      const u = dir.index.users.get(userId);
      if (u) matchedContacts.push({ userId, name: u.name, address: u.address });
    }
    customers.push({
      customerId: summary.customerId,
      name: summary.name,
      owner: summary.owner,
      matchedContacts,
      matchedByDomain: hit.viaDomain,
      lastInteractionAt: summary.lastInteractionAt,
      lastEmailReplyAt: summary.lastEmailReplyAt,
      recentInteractions: summary.recentInteractions,
    });
  }
  return { customers, summary: previewSummary(decision, customers.map((c) => c.name)) };
}
