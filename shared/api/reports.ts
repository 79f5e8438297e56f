/**
 * The JSON contract of the reports API (server/reports) and the pages that show it (addin/pages):
 * customer lists, a customer's profile and history, the Impact dashboard and its drill-down, and
 * the relationship-activity signal for the health assessment. Definitions: docs/reports.md.
 * Times are ISO-8601 UTC; days are "YYYY-MM-DD" UTC days.
 */

export type CustomerSort = "last_interaction" | "last_email_reply" | "name";
export type SortOrder = "asc" | "desc";

export interface PersonRef {
  id: string;
  name: string;
}

export interface CustomerListItem {
  id: string;
  externalId: string;
  name: string;
  owner: PersonRef | null;
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
  /** Whole days since lastInteractionAt; null when there has been none. */
  daysSinceLastInteraction: number | null;
  daysSinceLastEmailReply: number | null;
  /** Email messages with the customer in the 30 days up to now (see docs/reports.md "units"). */
  emailsLast30Days: number;
  /** Counted (not cancelled) meetings with the customer that started in the 30 days up to now. */
  meetingsLast30Days: number;
}

export interface CustomerListResponse {
  items: CustomerListItem[];
  /** Customers matching the filters (all pages). */
  total: number;
  page: number;
  pageSize: number;
  sort: CustomerSort;
  order: SortOrder;
  asOf: string;
}

export interface TeamMembersResponse {
  members: (PersonRef & { isAdmin: boolean })[];
  /** The caller. */
  me: PersonRef & { isAdmin: boolean };
}

export interface Participant {
  name: string;
  address: string;
  /** A customer contact ("user" in Startdeliver) or a team member. */
  kind: "contact" | "team_member";
  userId?: string;
  memberId?: string;
}

interface HistoryItemBase {
  id: string;
  /** Only "interaction" today; other kinds of history (notes, tasks…) will join the History tab. */
  type: "interaction";
  subject: string;
  /** Outlook on the web, when Graph gave a link. */
  webLink: string | null;
  /** What the history is ordered by: the last message of a conversation, the start of a meeting. */
  at: string;
  contacts: Participant[];
  teamMembers: Participant[];
  /** Details (subject, names) still being fetched from Microsoft 365. */
  detailsPending: boolean;
}

export interface EmailConversationItem extends HistoryItemBase {
  kind: "email";
  messageCount: number;
  firstMessageAt: string;
  lastMessageAt: string;
  /** sent: the last message came from a team member; received: from someone else. */
  lastDirection: "sent" | "received" | null;
  /** The last message one of this customer's contacts sent in the conversation. */
  lastReplyAt: string | null;
}

export interface MeetingItem extends HistoryItemBase {
  kind: "meeting";
  start: string;
  end: string | null;
  cancelled: boolean;
}

export type HistoryItem = EmailConversationItem | MeetingItem;

export type HistoryTab = "history" | "interactions";

export interface HistoryResponse {
  tab: HistoryTab;
  items: HistoryItem[];
  /** Pass back as ?cursor= for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface CustomerProfile {
  id: string;
  externalId: string;
  name: string;
  owner: PersonRef | null;
  domains: string[];
  contacts: { id: string; name: string; address: string }[];
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
  daysSinceLastInteraction: number | null;
  daysSinceLastEmailReply: number | null;
  emailsLast30Days: number;
  meetingsLast30Days: number;
  /** Counted meetings that have not started yet, soonest first (at most 5). */
  upcomingMeetings: MeetingItem[];
  asOf: string;
}

export interface PeriodCounts {
  emails: number;
  meetings: number;
}

export interface Trend {
  /** Emails + meetings in the period ending now. */
  current: number;
  /** Emails + meetings in the period of the same length just before it. */
  previous: number;
  change: number;
  /** change / previous; null when previous is 0. */
  changeRatio: number | null;
  direction: "up" | "down" | "flat";
}

export interface RelationshipActivity {
  customerId: string;
  name: string;
  asOf: string;
  last30Days: PeriodCounts;
  previous30Days: PeriodCounts;
  last90Days: PeriodCounts;
  previous90Days: PeriodCounts;
  trend30Days: Trend;
  trend90Days: Trend;
  lastInteractionAt: string | null;
  daysSinceLastInteraction: number | null;
  lastEmailReplyAt: string | null;
  daysSinceLastEmailReply: number | null;
  replies: {
    /** Conversations in the last 90 days with at least one message from the team. */
    conversations: number;
    /** Of those, the ones where a contact of the customer wrote after the team's first message. */
    replied: number;
    /** replied / conversations; null when there were no conversations. */
    share: number | null;
    /** Median time from the team's first message to the customer's first reply after it. */
    medianTimeToReplySeconds: number | null;
  };
}

export interface ImpactPeriod {
  from: string;
  to: string;
  days: number;
}

export interface ImpactMemberRow extends PeriodCounts {
  memberId: string;
  name: string;
  /** false for someone no longer a team member (their past work still counts). */
  current: boolean;
}

export interface ImpactDayRow extends PeriodCounts {
  day: string;
}

export interface ImpactResponse {
  period: ImpactPeriod;
  /** Distinct emails and meetings of the team; equals the sum of byDay. */
  totals: PeriodCounts;
  /** Per team member; can add up to more than the totals when several members were on the same one. */
  byMember: ImpactMemberRow[];
  /** Every day of the period, zeros included. */
  byDay: ImpactDayRow[];
  asOf: string;
}

export type ImpactKind = "email" | "meeting";

export interface DrilldownItem {
  interactionId: string;
  kind: ImpactKind;
  customer: PersonRef;
  subject: string;
  webLink: string | null;
  /** How many of the bar's units this interaction contributes (emails: its messages in the bar; meetings: 1). */
  units: number;
  firstUnitAt: string;
  lastUnitAt: string;
  /** Emails: all messages of the conversation; meetings: 0. */
  messageCount: number;
  lastDirection: "sent" | "received" | null;
  cancelled: boolean;
  contacts: Participant[];
  teamMembers: Participant[];
}

export interface DrilldownResponse {
  filter: { from: string; to: string; kind: ImpactKind | null; member: string | null; day: string | null };
  /** The bar's value: units over all pages (emails + meetings when no kind is given). */
  total: PeriodCounts & { units: number };
  items: DrilldownItem[];
  nextCursor: string | null;
}
