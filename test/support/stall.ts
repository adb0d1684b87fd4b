/**
 * How long the server's event loop stalls while an attack runs, as a liveness probe sees it: `/healthz` is asked
 * again and again, one request at a time, until the attack is over, and the slowest answer is kept. A blocked
 * event loop answers nothing, so the slowest probe is at least the longest block.
 */
export interface StallReport<T> {
  result: T;
  /** The slowest /healthz answer, in ms. */
  worstMs: number;
  /** How many probes answered while the attack ran (the last one may end after it). */
  probes: number;
  /** Probes that did not answer 200. */
  failures: number;
  /** How long the attack took, in ms. */
  attackMs: number;
}

/**
 * What a test asserts the worst probe stays under. The issue's goal is 100 ms of blocking at most; the tests run on a
 * shared 2-core machine beside another jest worker, where a healthy probe now and then takes a few hundred ms (and,
 * with other work on the machine, once 1.19 s), while the defects these tests guard against stalled the probe for 6
 * to 58 seconds. The benchmarks report real figures.
 */
export const STALL_BOUND_MS = 2000;

/**
 * Runs `attack` while probing /healthz. With STALL_REPORT set (`npm run bench:stalls`), prints one line of figures per
 * attack, named by `label`: the tests assert only the generous bound above, the benchmark reports what was measured.
 */
export async function healthzDuring<T>(baseUrl: string, label: string, attack: () => Promise<T>, intervalMs = 10): Promise<StallReport<T>> {
  let done = false;
  let worstMs = 0;
  let probes = 0;
  let failures = 0;
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      // A probe that fails (a connection the stalled server dropped, an answer other than 200) is a failed probe: it
      // counts as lasting until it failed, and is reported.
      const status = await fetch(`${baseUrl}/healthz`)
        .then(async (res) => (await res.arrayBuffer(), res.status))
        .catch(() => 0);
      worstMs = Math.max(worstMs, performance.now() - started);
      probes += 1;
      if (status !== 200) failures += 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  const started = performance.now();
  let result: T;
  try {
    result = await attack();
  } finally {
    done = true;
    // The probe in flight when the attack ends is the one that waited out its last block: it counts.
    await probing;
  }
  const attackMs = performance.now() - started;
  if (process.env.STALL_REPORT) {
    // Straight to stdout: jest would wrap a console.log in the test's stack.
    process.stdout.write(
      `stall: ${label.padEnd(52)} request ${String(Math.round(attackMs)).padStart(6)} ms   worst /healthz ${String(Math.round(worstMs)).padStart(5)} ms over ${probes} probes${failures ? `, ${failures} failed` : ''}\n`,
    );
  }
  return { result, worstMs, probes, failures, attackMs };
}
