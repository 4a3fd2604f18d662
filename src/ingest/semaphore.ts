/** A counting semaphore. */
export function semaphore(size: number): { acquire(): Promise<void>; release(): void } {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/**
 * A budget of bytes, handed out first come, first served: acquire(n) waits until n more fit, except that
 * when nothing is held any amount is let through (a body bigger than the whole budget goes alone).
 */
export function byteBudget(size: number): { acquire(n: number): Promise<void>; release(n: number): void; held(): number } {
  let used = 0;
  const waiting: { n: number; go: () => void }[] = [];
  const admit = (): void => {
    while (waiting.length > 0 && (used === 0 || used + waiting[0]!.n <= size)) {
      const w = waiting.shift()!;
      used += w.n;
      w.go();
    }
  };
  return {
    acquire: (n) => {
      if (waiting.length === 0 && (used === 0 || used + n <= size)) {
        used += n;
        return Promise.resolve();
      }
      return new Promise((go) => waiting.push({ n, go }));
    },
    release: (n) => {
      used -= n;
      admit();
    },
    held: () => used,
  };
}
