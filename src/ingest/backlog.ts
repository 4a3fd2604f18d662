/**
 * The feeds a fetch holds between their download and their commit, bounded in number and in bytes (an
 * estimate of each feed's: see the caller), and the downloads that would add to them.
 * - `acquire(bytes)` lets a downloaded feed in, in arrival order, once it fits: when nothing is held, or
 *   fewer than `maxFeeds` are and the bytes held and its own come to at most `maxBytes`. So a feed larger
 *   than the bound still goes through, alone, and a big one is not passed over by smaller ones after it.
 * - `open()` is waited for before a download starts: it resolves while the bytes held, those waiting to be
 *   let in and those of the downloads opened and not yet in (each counted at the mean of the feeds let in
 *   so far) come to less than `maxBytes`. So fetching waits while the backlog is full, and downloaded bodies
 *   do not pile up in front of it. (Before any feed has been let in, nothing is known of their size: the
 *   first downloads start together, as many as the fetch's concurrency allows.)
 * A download that brings nothing to save (304, failure) calls `cancel()` on its ticket; both are idempotent.
 */
export interface Backlog {
  open(): Promise<BacklogTicket>;
  release(bytes: number): void;
}
export interface BacklogTicket {
  acquire(bytes: number): Promise<void>;
  cancel(): void;
}

export function backlog(maxFeeds: number, maxBytes: number): Backlog {
  /** Let in and not yet released. */
  const held = { feeds: 0, bytes: 0 };
  /** Every feed let in so far, for the mean size of a download. */
  const seen = { feeds: 0, bytes: 0 };
  let waitingBytes = 0;
  /** Downloads started (open() answered) and not yet let in or cancelled. */
  let opened = 0;
  const waiting: { bytes: number; go: () => void }[] = [];
  const openers: (() => void)[] = [];
  const fits = (n: number): boolean => held.feeds === 0 || (held.feeds < maxFeeds && held.bytes + n <= maxBytes);
  const mean = (): number => (seen.feeds === 0 ? 0 : seen.bytes / seen.feeds);
  const isOpen = (): boolean => (held.feeds === 0 && waiting.length === 0 && opened === 0) || held.bytes + waitingBytes + opened * mean() < maxBytes;
  const admit = (n: number): void => {
    held.feeds++;
    held.bytes += n;
    seen.feeds++;
    seen.bytes += n;
  };
  const wake = (): void => {
    while (waiting.length > 0 && fits(waiting[0]!.bytes)) {
      const next = waiting.shift()!;
      waitingBytes -= next.bytes;
      admit(next.bytes);
      next.go();
    }
    while (openers.length > 0 && isOpen()) {
      opened++;
      openers.shift()!();
    }
  };
  const ticket = (): BacklogTicket => {
    let live = true;
    const end = (): boolean => {
      if (!live) return false;
      live = false;
      opened--;
      return true;
    };
    return {
      acquire: (n) => {
        if (!end()) return Promise.resolve(); // (not twice)
        const letIn = new Promise<void>((go) => waiting.push({ bytes: n, go }));
        waitingBytes += n;
        wake();
        return letIn;
      },
      cancel: () => {
        if (end()) wake();
      },
    };
  };
  return {
    open: () => {
      if (openers.length === 0 && isOpen()) {
        opened++;
        return Promise.resolve(ticket());
      }
      return new Promise<void>((go) => openers.push(go)).then(ticket);
    },
    release: (n) => {
      held.feeds--;
      held.bytes -= n;
      wake();
    },
  };
}
