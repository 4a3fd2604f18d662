/**
 * Runs tasks with a global concurrency bound, a bound per host, and a minimum delay between the
 * starts of two requests to one host; hosts take turns, so one big host does not starve the rest.
 */

export interface ScheduleOptions {
  concurrency: number;
  perHost: number;
  hostDelayMs: number;
  /** Hosts with manners of their own (fetch.hosts): instead of perHost and hostDelayMs. */
  hosts?: ReadonlyMap<string, { perHost: number; hostDelayMs: number }>;
  signal?: AbortSignal;
  now?: () => number;
}

interface HostState {
  queue: number[];
  active: number;
  lastStart: number;
}

/**
 * Calls `work` for every task and resolves with the results in task order (undefined for tasks not
 * started because the signal aborted). Tasks whose host is '' (local files) are only bound by the
 * global concurrency. The first error thrown by `work` stops new starts and rejects once running
 * tasks have finished.
 */
export function runScheduled<T, R>(
  tasks: T[],
  hostOf: (task: T) => string,
  options: ScheduleOptions,
  work: (task: T) => Promise<R>,
): Promise<(R | undefined)[]> {
  const now = options.now ?? (() => Date.now());
  const results: (R | undefined)[] = new Array(tasks.length).fill(undefined);
  const hosts = new Map<string, HostState>();
  tasks.forEach((t, i) => {
    const h = hostOf(t);
    let st = hosts.get(h);
    if (!st) hosts.set(h, (st = { queue: [], active: 0, lastStart: -Infinity }));
    st.queue.push(i);
  });
  const order = [...hosts.keys()];
  let turn = 0;
  let running = 0;
  let queued = tasks.length;
  let failure: { err: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;

  return new Promise((resolve, reject) => {
    const finishIfDone = () => {
      if (running > 0) return false;
      if (failure) reject(failure.err);
      else if (queued === 0 || options.signal?.aborted) resolve(results);
      else return false;
      return true;
    };

    const limitOf = (h: string) => (h === '' ? options.concurrency : (options.hosts?.get(h)?.perHost ?? options.perHost));
    const delayOf = (h: string) => (h === '' ? 0 : (options.hosts?.get(h)?.hostDelayMs ?? options.hostDelayMs));

    const pump = () => {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (failure || options.signal?.aborted) {
        finishIfDone();
        return;
      }
      let soonest = Infinity;
      let started = true;
      while (running < options.concurrency && queued > 0 && started) {
        started = false;
        const t = now();
        for (let k = 0; k < order.length; k++) {
          const h = order[(turn + k) % order.length]!;
          const st = hosts.get(h)!;
          if (st.queue.length === 0 || st.active >= limitOf(h)) continue;
          const readyAt = st.lastStart + delayOf(h);
          if (readyAt > t) {
            soonest = Math.min(soonest, readyAt);
            continue;
          }
          turn = (turn + k + 1) % order.length;
          start(st, st.queue.shift()!);
          started = true;
          break;
        }
      }
      if (finishIfDone()) return;
      if (running < options.concurrency && queued > 0 && soonest < Infinity) {
        timer = setTimeout(pump, Math.max(0, soonest - now()));
      }
    };

    const start = (st: HostState, i: number) => {
      running++;
      queued--;
      st.active++;
      st.lastStart = now();
      let p: Promise<R>;
      try {
        p = work(tasks[i]!);
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        (r) => {
          results[i] = r;
        },
        (err: unknown) => {
          failure ??= { err };
        },
      ).finally(() => {
        running--;
        st.active--;
        pump();
      });
    };

    options.signal?.addEventListener('abort', () => pump(), { once: true });
    pump();
  });
}
