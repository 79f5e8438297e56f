/** Server-side renders of the report pages' pieces (the pane's test style): plain words, states, links. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CustomerListItem, CustomerProfile, EmailConversationItem, MeetingItem, RelationshipActivity } from "../../shared/api/reports";
import { renderHtml, textOf } from "../test-support";
import { ActivitySummary } from "./ActivitySummary";
import { BarChart } from "./BarChart";
import { CustomerTable } from "./CustomerTable";
import { EmptyState } from "./EmptyState";
import { HistoryEntry } from "./HistoryEntry";
import { duration, percent } from "./pageFormat";

const email: EmailConversationItem = {
  id: "em_1",
  type: "interaction",
  kind: "email",
  subject: "Renewal",
  webLink: "https://outlook.office.com/mail/x",
  at: "2024-06-13T12:00:00.000Z",
  contacts: [{ name: "Alice Andersson", address: "alice@acme.com", kind: "contact" }],
  teamMembers: [{ name: "Jane Doe", address: "jane@northwind.io", kind: "team_member" }],
  detailsPending: false,
  messageCount: 3,
  firstMessageAt: "2024-06-05T12:00:00.000Z",
  lastMessageAt: "2024-06-13T12:00:00.000Z",
  lastDirection: "received",
  lastReplyAt: "2024-06-13T12:00:00.000Z",
};

const meeting: MeetingItem = {
  ...email,
  id: "mt_1",
  kind: "meeting",
  subject: "Weekly sync",
  webLink: null,
  start: "2024-06-12T12:00:00.000Z",
  end: "2024-06-12T13:00:00.000Z",
  cancelled: true,
};

test("an email conversation: subject linking to Outlook, message count, direction, people", () => {
  const html = renderHtml(<HistoryEntry item={email} />);
  const text = textOf(html);
  assert.match(text, /Email Renewal 3 messages · last received/);
  assert.match(text, /Contacts: Alice Andersson · Team: Jane Doe/);
  assert.match(html, /href="https:\/\/outlook\.office\.com\/mail\/x"[^>]*target="_blank"/);
  assert.match(html, /aria-label="Renewal \(opens in Outlook on the web\)"/);
});

test("a cancelled meeting says so and lists attendees", () => {
  const text = textOf(renderHtml(<HistoryEntry item={meeting} />));
  assert.match(text, /Meeting Weekly sync Cancelled/);
  assert.match(text, /Attendees: Alice Andersson · Team: Jane Doe/);
});

test("the customer table marks the sorted column and shows 'Never' for no interaction", () => {
  const item: CustomerListItem = {
    id: "c1",
    externalId: "acme",
    name: "Acme",
    owner: null,
    lastInteractionAt: null,
    lastEmailReplyAt: null,
    daysSinceLastInteraction: null,
    daysSinceLastEmailReply: null,
    emailsLast30Days: 0,
    meetingsLast30Days: 0,
  };
  const html = renderHtml(<CustomerTable items={[item]} sort="last_interaction" order="asc" onSort={() => {}} />);
  assert.match(html, /aria-sort="ascending"/);
  assert.match(textOf(html), /Acme No owner Never Never 0 0/);
  assert.match(html, /href="#\/customers\/c1"/);
});

test("activity in plain words", () => {
  const profile = { daysSinceLastInteraction: 2, lastInteractionAt: "2024-06-13T12:00:00Z", daysSinceLastEmailReply: null, lastEmailReplyAt: null, emailsLast30Days: 3, meetingsLast30Days: 1 } as CustomerProfile;
  const activity = {
    trend30Days: { current: 4, previous: 1, change: 3, changeRatio: 3, direction: "up" },
    last90Days: { emails: 4, meetings: 1 },
    replies: { conversations: 2, replied: 1, share: 0.5, medianTimeToReplySeconds: 3 * 3600 },
  } as RelationshipActivity;
  const text = textOf(renderHtml(<ActivitySummary profile={profile} activity={activity} />));
  assert.match(text, /Last interaction 2 days ago/);
  assert.match(text, /Last email reply never The customer hasn't written yet/);
  assert.match(text, /Up \+3 \(\+300%\) on the previous 30 days/);
  assert.match(text, /Customer replied 50% in 1 of 2 conversations the team started \(90 days\)/);
  assert.match(text, /Typical time to reply 3 h/);
  assert.equal(percent(null), "—");
  assert.equal(duration(200_000), "2 days 7 h");
  assert.equal(duration(90 * 60), "1 h 30 min");
});

test("bar chart: one tab stop, every bar a labelled button with a <title>", () => {
  const groups = [
    { key: "m1", label: "Jane", fullLabel: "Jane Doe", emails: 3, meetings: 1, drill: { member: "m1" } },
    { key: "m2", label: "Tom", fullLabel: "Tom Berg", emails: 0, meetings: 2, drill: { member: "m2" } },
  ];
  const html = renderHtml(<BarChart title="Per team member" groupNoun="team member" groups={groups} orientation="horizontal" onSelect={() => {}} />);
  assert.equal((html.match(/role="button"/g) ?? []).length, 4);
  assert.equal((html.match(/tabindex="0"/gi) ?? []).length, 1);
  assert.match(html, /aria-label="Jane Doe: 3 emails\. Show them\."/);
  assert.match(html, /<title>Tom Berg: 2 meetings<\/title>/);
  assert.match(html, /<title>Tom Berg: 0 emails<\/title>/);
});

test("empty states speak plainly", () => {
  const text = textOf(renderHtml(<EmptyState title="No customers yet">Customers appear here once your admin has added them.</EmptyState>));
  assert.equal(text, "No customers yet Customers appear here once your admin has added them.");
});
