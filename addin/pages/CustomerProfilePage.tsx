import { Link, Spinner, Subtitle2, Title2, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type { HistoryTab } from "../../shared/api/reports";
import { ApiProblem } from "../api/client";
import { ProblemNotice } from "../components/ProblemNotice";
import { SectionTabs } from "../components/SectionTabs";
import { ActivitySummary } from "./ActivitySummary";
import { EmptyState } from "./EmptyState";
import { HistoryEntry } from "./HistoryEntry";
import { HistoryPanel } from "./HistoryPanel";
import { ProfileFacts } from "./ProfileFacts";
import type { ReportsApi } from "./reportsClient";
import { formatRoute, type CustomerRoute } from "./routes";
import { useResource } from "./useResource";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, maxWidth: "1100px" },
  heading: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  upcoming: { listStyleType: "none", margin: 0, padding: 0 },
  panel: { display: "flex", flexDirection: "column", paddingTop: tokens.spacingVerticalM },
  hidden: { display: "none" },
});

export interface CustomerProfilePageProps {
  api: ReportsApi;
  route: CustomerRoute;
  onNavigate: (route: CustomerRoute) => void;
  onSignIn: () => void;
}

const TABS: { value: HistoryTab; label: string }[] = [
  { value: "history", label: "History" },
  { value: "interactions", label: "Interactions" },
];

export function CustomerProfilePage({ api, route, onNavigate, onSignIn }: CustomerProfilePageProps) {
  const styles = useStyles();
  const profile = useResource(`profile:${route.id}`, (signal) => api.customer(route.id, signal));
  const activity = useResource(`activity:${route.id}`, (signal) => api.activity(route.id, signal));
  const back = (
    <Link href={formatRoute({ page: "customers", sort: "last_interaction", pageNumber: 1 })}>← All customers</Link>
  );

  if (profile.problem !== null) {
    const missing = profile.problem instanceof ApiProblem && profile.problem.kind === "not_found";
    return (
      <section className={styles.root}>
        {back}
        {missing ? (
          <EmptyState title="This customer isn't in your organisation">
            It may have been removed from Startdeliver, or the link belongs to another organisation.
          </EmptyState>
        ) : (
          <ProblemNotice error={profile.problem} onRetry={profile.reload} onSignIn={onSignIn} />
        )}
      </section>
    );
  }
  if (!profile.data) return <Spinner label="Loading the customer…" />;
  const p = profile.data;
  return (
    <section className={styles.root} aria-labelledby="customer-heading">
      {back}
      <div className={styles.heading}>
        <Title2 as="h1" id="customer-heading">
          {p.name}
        </Title2>
        <ProfileFacts profile={p} />
      </div>
      <ActivitySummary profile={p} activity={activity.data} />
      {p.upcomingMeetings.length > 0 && (
        <section aria-labelledby="upcoming-heading">
          <Subtitle2 as="h2" id="upcoming-heading">
            Upcoming meetings
          </Subtitle2>
          <ul className={styles.upcoming}>
            {p.upcomingMeetings.map((m) => (
              <HistoryEntry key={m.id} item={m} />
            ))}
          </ul>
        </section>
      )}
      <div>
        <SectionTabs tabs={TABS} selected={route.tab} onSelect={(tab) => onNavigate({ ...route, tab })} label="Customer history" idPrefix="customer" />
        {TABS.map((t) => (
          <div
            key={t.value}
            role="tabpanel"
            id={`customer-panel-${t.value}`}
            aria-labelledby={`customer-tab-${t.value}`}
            tabIndex={0}
            hidden={route.tab !== t.value}
            className={mergeClasses(styles.panel, route.tab !== t.value && styles.hidden)}
          >
            {route.tab === t.value && <HistoryPanel api={api} customerId={p.id} tab={t.value} onSignIn={onSignIn} />}
          </div>
        ))}
      </div>
    </section>
  );
}
