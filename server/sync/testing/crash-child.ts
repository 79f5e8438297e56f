/**
 * The product as a child process, for the crash test (server/sync/crash-kill.test.ts): startProduct
 * over the file database in DATA_DIR, configured from the environment like main.ts, with the sync's
 * settings from CRASH_SYNC_CONFIG (JSON). It tells its parent over IPC when it is listening, after
 * every committed page (so the parent can pick the moment to SIGKILL it) and after every run.
 * IPC "stop" closes it gracefully.
 *
 * IPC {type: "arm", k}: inside the transaction of the k-th page from now that changes facts (after the
 * facts and the interactions are written, before the commit) the child says "in-transaction" and
 * blocks (Atomics.wait, not a spin) so the parent's SIGKILL lands inside the open transaction.
 *
 * The reporting wraps SyncStore/SyncEngine/InteractionsEngine methods; what the sync does is untouched.
 */
import { loadConfig } from "../../config";
import { InteractionsEngine } from "../../interactions/engine";
import { startProduct } from "../../product";
import { SyncEngine } from "../engine";
import { SyncStore } from "../store";

type Message =
  | { type: "ready"; url: string; pid: number }
  | { type: "page"; kind: "mail" | "calendar"; items: number; n: number }
  | { type: "in-transaction"; page: number }
  | { type: "run"; memberId: string; ok: boolean; ran: boolean; historyDone: boolean; error: string | null; pending: number; startedAt: number };

const send = (m: Message) => {
  if (process.connected) process.send!(m);
};

let pages = 0;
const applyMailPage = SyncStore.prototype.applyMailPage;
SyncStore.prototype.applyMailPage = function (this: SyncStore, ...args: Parameters<SyncStore["applyMailPage"]>) {
  const result = applyMailPage.apply(this, args);
  send({ type: "page", kind: "mail", items: args[3].length, n: ++pages });
  return result;
};
const applyEventPage = SyncStore.prototype.applyEventPage;
SyncStore.prototype.applyEventPage = function (this: SyncStore, ...args: Parameters<SyncStore["applyEventPage"]>) {
  const result = applyEventPage.apply(this, args);
  send({ type: "page", kind: "calendar", items: args[2].length, n: ++pages });
  return result;
};
let armedFor: number | null = null;
const onFactsChanged = InteractionsEngine.prototype.onFactsChanged;
InteractionsEngine.prototype.onFactsChanged = function (this: InteractionsEngine, ...args: Parameters<InteractionsEngine["onFactsChanged"]>) {
  onFactsChanged.apply(this, args);
  if (armedFor !== null && pages + 1 >= armedFor) {
    armedFor = null;
    send({ type: "in-transaction", page: pages + 1 });
    // Still inside the page's transaction: wait here for the SIGKILL (resume after 10 s if none comes).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  }
};
const runMailbox = SyncEngine.prototype.runMailbox;
SyncEngine.prototype.runMailbox = async function (this: SyncEngine, ...args: Parameters<SyncEngine["runMailbox"]>) {
  const startedAt = Date.now();
  const outcome = await runMailbox.apply(this, args);
  send({
    type: "run",
    memberId: args[0],
    ok: outcome.ok,
    ran: outcome.ran,
    historyDone: outcome.historyDone,
    error: outcome.error,
    pending: this.store.pendingRemovals(args[0]).length,
    startedAt,
  });
  return outcome;
};

// An orphan must not keep syncing into the database the next child opens.
process.on("disconnect", () => process.exit(1));

const config = loadConfig(process.env);
const syncConfig = JSON.parse(process.env.CRASH_SYNC_CONFIG ?? "{}");
const product = await startProduct(config, { push: false, sync: { config: syncConfig } });
process.on("message", (m: { type?: string; k?: number }) => {
  if (m?.type === "arm") armedFor = pages + (m.k ?? 1);
  if (m?.type === "stop") {
    void product.close().then(() => process.exit(0));
  }
});
send({ type: "ready", url: product.http.listenUrl, pid: process.pid });
