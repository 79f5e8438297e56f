import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { missingServerNodeOptions, SERVER_NODE_OPTIONS } from "./runtime";

test("npm start adds the server's heap ceiling unless the operator chose one", () => {
  const cases: Array<{ execArgv: string[]; nodeOptions: string; missing: readonly string[] }> = [
    { execArgv: [], nodeOptions: "", missing: SERVER_NODE_OPTIONS },
    { execArgv: ["--import", "file:///tsx/loader.mjs"], nodeOptions: "--enable-source-maps", missing: SERVER_NODE_OPTIONS },
    { execArgv: ["--max-old-space-size=1024"], nodeOptions: "", missing: [] },
    { execArgv: [], nodeOptions: "--max-old-space-size=4096", missing: [] },
    { execArgv: ["--max-old-space-size", "512"], nodeOptions: "", missing: [] },
    // A longer flag that only starts with the same letters is not the same option.
    { execArgv: ["--max-old-space-size-extra=1"], nodeOptions: "", missing: SERVER_NODE_OPTIONS },
  ];
  for (const c of cases) assert.deepEqual(missingServerNodeOptions(c.execArgv, c.nodeOptions), c.missing, JSON.stringify(c));
});

test("a process started with the server's options has a heap ceiling under 2 GB (where V8 starts growing the heap 4× between collections)", () => {
  const child = spawnSync(process.execPath, [...SERVER_NODE_OPTIONS, "-e", "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const limitMb = Number(child.stdout.trim()) / 1048576;
  assert.ok(limitMb > 512 && limitMb < 2048, `heap ceiling ${limitMb} MB`);
});
