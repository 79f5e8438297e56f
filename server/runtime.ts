/**
 * The V8 options the server process runs with. `npm start` re-launches itself with them
 * (scripts/start.ts) and the sync benchmarks start their product process with them
 * (bench/support/spawn-worker.ts), so what is measured is what runs.
 *
 * --max-old-space-size=1024. V8 lets garbage pile up between full collections in proportion to the
 * heap's ceiling: Node's default ceiling follows the machine's memory (4 GB on our 24 GB machine),
 * and from a 2 GB ceiling up V8 lets the heap grow to 4× what survived the last full collection.
 * A history sync keeps about 30 MB alive, yet its heap climbed to 170 MB before each full
 * collection and the process peaked at 310–335 MB. With a 1 GB ceiling V8 grows the heap by about
 * 1.6× instead: 253–270 MB at the same speed (`npm run bench -- sync`, BENCHMARKS.md). The
 * 200-mailbox fleet benchmark (200 history syncs at once) runs under it at a peak of 683 MB.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ["--max-old-space-size=1024"];

/**
 * The options this process still lacks. A heap ceiling the operator chose (on the command line or
 * in NODE_OPTIONS) is theirs to keep.
 */
export function missingServerNodeOptions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return SERVER_NODE_OPTIONS.filter((option) => {
    const name = option.split("=")[0]!;
    return !given.some((g) => g === name || g.startsWith(`${name}=`));
  });
}
