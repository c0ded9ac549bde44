// Scores and rankings. A peer's score is a small integer (Tendermint's int16): reactors move a
// persisted "mutable score" by one per good or bad behaviour report, failed dials pull it down,
// persistent peers sit at the top. Rankings order peers by score; ties are broken at random (so that
// a store full of equally unknown peers is not dialed in insertion order, which an attacker who fills
// the store first would otherwise win), and address exchange samples the ranking with weights so that
// good peers are shared more often without always sharing the same ones.

/** Largest score (int16): persistent peers. */
export const MAX_SCORE = 32_767;
/** Smallest score (int16). */
export const MIN_SCORE = -32_768;

/** Clamps to the int16 range the score lives in (as persisted, and as Tendermint reports it). */
export function clampScore(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.max(MIN_SCORE, Math.min(MAX_SCORE, Math.trunc(value)));
}

/** Fisher-Yates shuffle in place with an injected random source in [0, 1). */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/**
 * Sorts by `key` descending, ties in random order: shuffle, then a stable sort. The result is a new
 * array; `items` is not modified.
 */
export function rankBy<T>(items: readonly T[], key: (item: T) => number, random: () => number): T[] {
  const keyed = shuffle(
    items.map((item) => ({ item, k: key(item) })),
    random,
  );
  keyed.sort((a, b) => b.k - a.k);
  return keyed.map((e) => e.item);
}

/**
 * The item rankBy would put first, in one pass: the highest `key`, ties chosen uniformly at random
 * (reservoir sampling: the t-th tie replaces the choice with probability 1/t). Undefined when empty.
 */
export function pickHighest<T>(items: readonly T[], key: (item: T) => number, random: () => number): T | undefined {
  let best: T | undefined;
  let bestKey = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (const item of items) {
    const k = key(item);
    if (best === undefined || k > bestKey) {
      best = item;
      bestKey = k;
      ties = 1;
    } else if (k === bestKey && random() * ++ties < 1) {
      best = item;
    }
  }
  return best;
}

/**
 * Picks up to `limit` items without replacement, item i having weight `weight(i)` > 0
 * (Efraimidis-Spirakis: key = u^(1/w), keep the largest keys). Returned in descending key order.
 */
export function weightedSample<T>(
  items: readonly T[],
  limit: number,
  weight: (item: T, index: number) => number,
  random: () => number,
): T[] {
  if (limit <= 0 || items.length === 0) return [];
  const keyed = items.map((item, index) => {
    const w = Math.max(weight(item, index), Number.MIN_VALUE);
    const u = Math.max(random(), Number.MIN_VALUE);
    return { item, key: Math.log(u) / w };
  });
  keyed.sort((a, b) => b.key - a.key);
  return keyed.slice(0, limit).map((e) => e.item);
}
