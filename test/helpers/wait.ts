// The one way tests wait for a condition without a fixed sleep: poll a predicate (sync or async) until
// it holds or a generous deadline passes (the machine may be heavily loaded), then fail naming what
// was awaited. A check that something did NOT happen uses a ManualClock instead (src/core/clock.ts).

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 30_000,
  intervalMs = 5,
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
