import { benchMatching } from "../../shared/matching/bench";
import { atLeast, atMost, type BenchSuite } from "../harness";

/** Issue 3: the pure decision function's speed, and a full local re-decision after one contact is added. */
const suite: BenchSuite = {
  name: "matching",
  async run() {
    const r = benchMatching({ messages: 50_000, events: 2_000, rounds: 7 });
    return [
      atLeast("decisions per second (median of rounds, one core)", r.decisionsPerSecond, "/s", 200_000, `best round ${Math.round(r.bestDecisionsPerSecond).toLocaleString("en-US")}/s; ${r.decisionsPerCpuSecond ? Math.round(r.decisionsPerCpuSecond).toLocaleString("en-US") + " per CPU-second" : ""}`),
      atMost("re-decide 50,000 messages + 2,000 events after one contact is added (pure function, incl. index rebuild)", r.redecideAfterContactAddedMs, "ms", 1_000, `index build ${r.indexBuildMs.toFixed(1)} ms`),
    ];
  },
};
export default suite;
