/**
 * Reports over the interactions tables: customer lists, profiles and history, the Impact
 * dashboard and relationship activity. Mount with
 *
 *   app.use(reportsRoutes({ db: ctx.db, authenticator: ctx.authenticator,
 *                           refreshDueActivity: () => interactions.engine.refreshDueActivity() }));
 *
 * Definitions of every number: docs/reports.md.
 */
export { reportsRoutes, createReportsService, resolvePeriod, type ReportsDeps, type ReportsService } from "./routes";
export { CustomerReports, TAB_KINDS, type CustomerListFilter } from "./customers";
export { ImpactReports, FORMER_MEMBER_NAME, type DrilldownFilter } from "./impact";
export { ActivityReads, computeActivity, median, type ActivityInput, type EmailUnit } from "./activity";
export { toCsv, csvField, csvRow } from "./csv";
