/** Where a run of item times starts, an item that stands alone before the rest left out (readiness, feed coverage). */

/** How many of a topic's first items historyStart looks at. */
export const HISTORY_LOOK = 101;
const DAY_MS = 86_400_000;

/**
 * Where a topic's history starts for detection, from the times of its first items (oldest first, up to
 * HISTORY_LOOK): its first item, unless that stands alone before the rest — an old article a search feed
 * still lists (a 2019 piece among the last two days' news, in a new topic's first fetch), or a first fetch
 * that brought one item days before the others. The weeks between such an item and the rest were never
 * fetched; counted as quiet, they made the first stories of a new topic a spike (score 49 on its first run),
 * and the topic was not said to be learning. An item stands alone when the time to the next one is more than
 * a day and more than 20 times the median time between the items after it. Null when there are none.
 */
export function historyStart(times: readonly number[]): number | null {
  let i = 0;
  while (i + 2 < times.length) {
    const gaps: number[] = [];
    for (let k = i + 1; k + 1 < times.length; k++) gaps.push(times[k + 1]! - times[k]!);
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    if (times[i + 1]! - times[i]! <= Math.max(DAY_MS, 20 * median)) break;
    i++;
  }
  return times.length ? times[i]! : null;
}
