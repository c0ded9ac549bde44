// Test helpers for waiting on conditions without fixed sleeps: poll a predicate until it holds or a
// generous deadline passes (the machine may be heavily loaded), then fail with a description.

export async function waitFor(
  predicate: () => boolean,
  description: string,
  timeoutMs = 30_000,
  intervalMs = 5,
): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Active handles other than timers that have already fired: sockets, servers, pipes, live timers. */
export function activeHandles(): string[] {
  return process.getActiveResourcesInfo().filter((name) => name !== 'TTYWrap' && name !== 'FSReqCallback');
}

/** Counts of each kind of active resource, for before/after comparisons. */
export function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of activeHandles()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Waits until no more resources of any kind are active than in `baseline`. */
export async function waitForHandlesAtMost(baseline: Map<string, number>, timeoutMs = 10_000): Promise<void> {
  const exceeds = (): string[] => {
    const now = handleCounts();
    const extra: string[] = [];
    for (const [name, count] of now) if (count > (baseline.get(name) ?? 0)) extra.push(`${name}×${count - (baseline.get(name) ?? 0)}`);
    return extra;
  };
  await waitFor(() => exceeds().length === 0, 'handles to return to baseline', timeoutMs).catch(() => {
    throw new Error(`handles left over: ${exceeds().join(', ')}`);
  });
}
