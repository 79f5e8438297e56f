/**
 * Typed calls to the reports API (shared/api/reports.ts) with the pane's bearer token and the
 * pane's error shape (ApiProblem), plus CSV downloads: a plain link can't carry the bearer
 * token, so the file is fetched and handed to the browser as a blob.
 */
import type { ApiError as ApiErrorBody, MeResponse } from "../../shared/api/contract";
import type {
  CustomerListResponse,
  CustomerProfile,
  CustomerSort,
  DrilldownResponse,
  HistoryResponse,
  HistoryTab,
  ImpactKind,
  ImpactResponse,
  RelationshipActivity,
  SortOrder,
  TeamMembersResponse,
} from "../../shared/api/reports";
import { ApiProblem, type ProblemKind, type TokenSource } from "../api/client";

export interface CustomerListParams {
  sort?: CustomerSort;
  order?: SortOrder;
  owner?: string;
  quietDays?: number;
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface DrilldownParams {
  from: string;
  to: string;
  kind?: ImpactKind;
  member?: string;
  day?: string;
}

export interface CsvFile {
  blob: Blob;
  fileName: string;
}

export interface ReportsApi {
  me(signal?: AbortSignal): Promise<MeResponse>;
  team(signal?: AbortSignal): Promise<TeamMembersResponse>;
  customers(params: CustomerListParams, signal?: AbortSignal): Promise<CustomerListResponse>;
  customer(id: string, signal?: AbortSignal): Promise<CustomerProfile>;
  history(id: string, tab: HistoryTab, cursor?: string | null, signal?: AbortSignal): Promise<HistoryResponse>;
  activity(id: string, signal?: AbortSignal): Promise<RelationshipActivity>;
  impact(period: { from?: string; to?: string }, signal?: AbortSignal): Promise<ImpactResponse>;
  drilldown(params: DrilldownParams, cursor?: string | null, signal?: AbortSignal): Promise<DrilldownResponse>;
  customersCsv(params: CustomerListParams): Promise<CsvFile>;
  drilldownCsv(params: DrilldownParams): Promise<CsvFile>;
}

/** ?a=1&b=x for the defined values only. */
export function queryString(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

function kindForStatus(status: number): ProblemKind {
  if (status === 401) return "sign_in";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 400 || status === 409 || status === 422) return "invalid";
  if (status >= 500) return "unavailable";
  return "unexpected";
}

/** filename="…" from a Content-Disposition header. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/i.exec(disposition ?? "");
  return m?.[1] ?? fallback;
}

export function createReportsApi(baseUrl: string, tokens: TokenSource, fetchImpl: typeof fetch = (...a) => fetch(...a)): ReportsApi {
  const root = baseUrl.replace(/\/$/, "");

  async function send(path: string, token: string, accept: string, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetchImpl(`${root}${path}`, { headers: { Accept: accept, Authorization: `Bearer ${token}` }, signal });
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new ApiProblem("network", "Startdeliver can't be reached.");
    }
  }

  async function get(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    let response = await send(path, await tokens.getToken(), accept, signal);
    if (response.status === 401) response = await send(path, await tokens.getToken({ forceRefresh: true }), accept, signal);
    if (response.ok) return response;
    let error: ApiErrorBody["error"] | undefined;
    try {
      error = ((await response.json()) as ApiErrorBody).error;
    } catch {
      error = undefined;
    }
    throw new ApiProblem(kindForStatus(response.status), error?.message ?? `Startdeliver answered ${response.status}.`, response.status, error?.code ?? null, error?.field ?? null);
  }

  async function json<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await get(path, "application/json", signal);
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiProblem("unexpected", "Startdeliver sent an answer this page couldn't read.", response.status);
    }
  }

  async function csv(path: string, fallback: string): Promise<CsvFile> {
    const response = await get(path, "text/csv", undefined);
    return { blob: await response.blob(), fileName: fileNameOf(response.headers.get("content-disposition"), fallback) };
  }

  const enc = encodeURIComponent;
  return {
    me: (signal) => json("/api/me", signal),
    team: (signal) => json("/api/reports/team", signal),
    customers: (params, signal) => json(`/api/customers${queryString(params)}`, signal),
    customer: (id, signal) => json(`/api/customers/${enc(id)}`, signal),
    history: (id, tab, cursor, signal) => json(`/api/customers/${enc(id)}/history${queryString({ tab, cursor })}`, signal),
    activity: (id, signal) => json(`/api/customers/${enc(id)}/activity`, signal),
    impact: (period, signal) => json(`/api/impact${queryString(period)}`, signal),
    drilldown: (params, cursor, signal) => json(`/api/impact/drilldown${queryString({ ...params, cursor })}`, signal),
    customersCsv: (params) => {
      const { page: _page, pageSize: _size, ...rest } = params;
      return csv(`/api/customers${queryString({ ...rest, format: "csv" })}`, "customers.csv");
    },
    drilldownCsv: (params) => csv(`/api/impact/drilldown${queryString({ ...params, format: "csv" })}`, "interactions.csv"),
  };
}
