import { Spinner, Text, Title2, makeStyles, tokens } from "@fluentui/react-components";
import type { ImpactKind, ImpactResponse } from "../../shared/api/reports";
import { ProblemNotice } from "../components/ProblemNotice";
import { BarChart } from "./BarChart";
import { ChartDataTable } from "./ChartDataTable";
import { DrilldownPanel } from "./DrilldownPanel";
import { EmptyState } from "./EmptyState";
import { PeriodSelector } from "./PeriodSelector";
import { dayGroups, drillTitle, memberGroups, type ChartGroup } from "./impactLogic";
import { periodLabel, plural } from "./pageFormat";
import type { CsvFile, DrilldownParams, ReportsApi } from "./reportsClient";
import type { Drill, ImpactRoute } from "./routes";
import { useResource } from "./useResource";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL },
  top: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", justifyContent: "space-between", rowGap: tokens.spacingVerticalM },
  heading: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  totals: { display: "flex", columnGap: tokens.spacingHorizontalXXL, flexWrap: "wrap" },
  total: { display: "flex", flexDirection: "column" },
  big: { fontSize: tokens.fontSizeHero800, lineHeight: tokens.lineHeightHero800, fontWeight: tokens.fontWeightSemibold },
  charts: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(min(100%, 560px), 1fr))", gap: tokens.spacingHorizontalXXL },
  card: {
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
  note: { color: tokens.colorNeutralForeground3 },
});

export interface ImpactPageProps {
  api: ReportsApi;
  route: ImpactRoute;
  onNavigate: (route: ImpactRoute) => void;
  onSignIn: () => void;
  onFile?: (file: CsvFile) => void;
}

export function ImpactPage({ api, route, onNavigate, onSignIn, onFile }: ImpactPageProps) {
  const styles = useStyles();
  const impact = useResource(`impact:${route.from ?? ""}:${route.to ?? ""}`, (signal) => api.impact({ from: route.from, to: route.to }, signal));
  const data: ImpactResponse | null = impact.data;
  const today = (data?.asOf ?? new Date().toISOString()).slice(0, 10);

  const open = (group: ChartGroup, kind: ImpactKind) => onNavigate({ ...route, drill: { ...group.drill, kind } });
  const selectedKey = (groups: ChartGroup[]) => {
    const d = route.drill;
    if (!d) return null;
    const g = groups.find((x) => (d.member ? x.drill.member === d.member : d.day ? x.drill.day === d.day : x.drill.from === d.from && x.drill.to === d.to && !!d.from));
    return g && d.kind ? { key: g.key, kind: d.kind } : null;
  };
  const drillParams = (d: Drill, period: { from: string; to: string }): DrilldownParams => ({
    from: d.from ?? period.from,
    to: d.to ?? period.to,
    kind: d.kind,
    member: d.member,
    day: d.day,
  });

  return (
    <section className={styles.root} aria-labelledby="impact-heading" aria-busy={impact.loading}>
      <div className={styles.top}>
        <div className={styles.heading}>
          <Title2 as="h1" id="impact-heading">
            Impact
          </Title2>
          {data && <Text as="p" className={styles.note}>{`The team's emails and meetings with customers, ${periodLabel(data.period.from, data.period.to)}.`}</Text>}
        </div>
        {data && <PeriodSelector period={data.period} today={today} onChange={(p) => onNavigate({ page: "impact", ...p })} />}
      </div>
      {impact.problem !== null && <ProblemNotice error={impact.problem} onRetry={impact.reload} onSignIn={onSignIn} />}
      {impact.loading && !data && <Spinner label="Loading the dashboard…" />}
      {data && (
        <>
          <div className={styles.totals} aria-label="Totals" role="group">
            <div className={styles.total}>
              <span className={styles.big}>{data.totals.emails.toLocaleString()}</span>
              <Text>emails</Text>
            </div>
            <div className={styles.total}>
              <span className={styles.big}>{data.totals.meetings.toLocaleString()}</span>
              <Text>meetings</Text>
            </div>
          </div>
          {data.totals.emails + data.totals.meetings === 0 && (
            <EmptyState title="No emails or meetings with customers in this period">
              Pick a longer period, or check that team members have connected Microsoft 365 (Apps → Outlook).
            </EmptyState>
          )}
          <div className={styles.charts}>
            <div className={styles.card}>
              <BarChart
                title="Per team member"
                groupNoun="team member"
                groups={memberGroups(data)}
                orientation="horizontal"
                selected={selectedKey(memberGroups(data))}
                onSelect={open}
              />
              <Text size={200} className={styles.note}>
                An email several team members were on counts for each of them, so these can add up to more than the totals.
              </Text>
              <ChartDataTable caption="Emails and meetings per team member" groupHeading="Team member" groups={memberGroups(data)} onSelect={open} />
            </div>
            <div className={styles.card}>
              <BarChart
                title={data.byDay.length > 62 ? "Per week" : "Per day"}
                groupNoun={data.byDay.length > 62 ? "week" : "day"}
                groups={dayGroups(data)}
                orientation="vertical"
                selected={selectedKey(dayGroups(data))}
                onSelect={open}
              />
              <ChartDataTable
                caption={data.byDay.length > 62 ? "Emails and meetings per week" : "Emails and meetings per day"}
                groupHeading={data.byDay.length > 62 ? "Week" : "Day"}
                groups={dayGroups(data)}
                totals={{ ...data.totals, label: "Total" }}
                onSelect={open}
              />
            </div>
          </div>
          {route.drill && (
            <DrilldownPanel
              api={api}
              params={drillParams(route.drill, data.period)}
              title={drillTitle(route.drill, data.period, (id) => data.byMember.find((m) => m.memberId === id)?.name ?? "Team member")}
              onClose={() => onNavigate({ ...route, drill: undefined })}
              onSignIn={onSignIn}
              onFile={onFile}
            />
          )}
          <Text size={200} className={styles.note}>
            {`Days are UTC days. ${plural(data.byMember.filter((m) => m.emails + m.meetings > 0).length, "team member")} with activity in this period.`}
          </Text>
        </>
      )}
    </section>
  );
}
