import { Button, Spinner, Title2, makeStyles, tokens } from "@fluentui/react-components";
import type { CustomerSort, TeamMembersResponse } from "../../shared/api/reports";
import { ProblemNotice } from "../components/ProblemNotice";
import { CustomerFilters, type CustomerFilterValues } from "./CustomerFilters";
import { CustomerTable } from "./CustomerTable";
import { EmptyState } from "./EmptyState";
import { ExportButton } from "./ExportButton";
import { Pager } from "./Pager";
import type { CsvFile, ReportsApi } from "./reportsClient";
import type { CustomersRoute } from "./routes";
import { useResource } from "./useResource";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL },
  top: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", justifyContent: "space-between", rowGap: tokens.spacingVerticalM },
  scroll: { overflowX: "auto" },
});

export const PAGE_SIZE = 50;

export interface CustomersPageProps {
  api: ReportsApi;
  route: CustomersRoute;
  team: TeamMembersResponse | null;
  onNavigate: (route: CustomersRoute) => void;
  onSignIn: () => void;
  onFile?: (file: CsvFile) => void;
}

const DEFAULT_ORDER: Record<CustomerSort, "asc" | "desc"> = { last_interaction: "desc", last_email_reply: "desc", name: "asc" };

export function CustomersPage({ api, route, team, onNavigate, onSignIn, onFile }: CustomersPageProps) {
  const styles = useStyles();
  const params = { sort: route.sort, order: route.order, owner: route.owner, quietDays: route.quietDays, q: route.q, page: route.pageNumber, pageSize: PAGE_SIZE };
  const list = useResource(JSON.stringify(params), (signal) => api.customers(params, signal));
  const filtered = route.owner !== undefined || route.quietDays !== undefined || route.q !== undefined;

  const onSort = (sort: CustomerSort) => {
    const current = route.order ?? DEFAULT_ORDER[route.sort];
    const order = sort === route.sort ? (current === "asc" ? "desc" : "asc") : DEFAULT_ORDER[sort];
    onNavigate({ ...route, sort, order, pageNumber: 1 });
  };
  const onFilters = (v: CustomerFilterValues) => onNavigate({ ...route, ...v, pageNumber: 1 });

  return (
    <section className={styles.root} aria-labelledby="customers-heading" aria-busy={list.loading}>
      <div className={styles.top}>
        <Title2 as="h1" id="customers-heading">
          Customers
        </Title2>
        <ExportButton label="Export CSV" fetchFile={() => api.customersCsv(params)} onFile={onFile} />
      </div>
      <CustomerFilters values={{ q: route.q, owner: route.owner, quietDays: route.quietDays }} team={team} onChange={onFilters} />
      {list.problem !== null && <ProblemNotice error={list.problem} onRetry={list.reload} onSignIn={onSignIn} />}
      {list.loading && !list.data && <Spinner label="Loading customers…" />}
      {list.data && list.data.items.length === 0 && (
        <EmptyState
          title={filtered ? "No customers match these filters" : "No customers yet"}
          action={
            filtered ? (
              <Button onClick={() => onNavigate({ page: "customers", sort: route.sort, order: route.order, pageNumber: 1 })}>Clear filters</Button>
            ) : undefined
          }
        >
          {filtered
            ? "Try a shorter search, another owner, or fewer quiet days."
            : "Customers appear here once your Startdeliver admin has added them to the directory."}
        </EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <>
          <div className={styles.scroll}>
            <CustomerTable items={list.data.items} sort={list.data.sort} order={list.data.order} onSort={onSort} />
          </div>
          <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => onNavigate({ ...route, pageNumber: p })} />
        </>
      )}
    </section>
  );
}
