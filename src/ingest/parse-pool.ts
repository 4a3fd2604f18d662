import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EnrichedItem, ParsedItem } from '../core/types.js';
import { enrichItems } from '../enrich/enrich.js';
import { compileSetup, runParseJob, unwrap, type ParseJob, type ParseOutcome, type ParseSetup, type ParsedBody } from './parse-job.js';

/** Turns fetched bodies into enriched items, in this thread or in worker threads. */
export interface BodyParser {
  parse(job: ParseJob): Promise<ParsedBody>;
  /** Enriches items a source yielded itself (not a feed: nothing to decode or parse), in this thread. */
  enrich(items: ParsedItem[], o: { feedUrl: string; language: string | null }): EnrichedItem[];
  close(): Promise<void>;
}

/**
 * How many parse workers: one per core, at most four; or MOMENTSCAN_PARSE_WORKERS (1–16), to measure
 * what another count gives (each worker is a JavaScript heap of its own: the sentiment model, the language
 * profiles, the feed it parses and the garbage that makes). On the 2-core bench machine one worker and two
 * took the same CPU time and wall time within its noise (README, How fast).
 */
export function parseWorkers(cores: number, env: string | undefined = process.env.MOMENTSCAN_PARSE_WORKERS): number {
  const asked = env === undefined || env.trim() === '' ? NaN : Number(env);
  if (Number.isInteger(asked) && asked >= 1 && asked <= 16) return asked;
  return Math.max(1, Math.min(cores, 4));
}

/** Below this many feeds a worker's start-up (~0.1 s) costs more than it saves. */
const MIN_FEEDS_FOR_WORKERS = 24;

/**
 * Parsing is the CPU-heavy part of a fetch: with more than one core and enough feeds, it runs in
 * worker threads while this thread does the network and the database.
 */
export function createParser(setup: ParseSetup, feeds: number): BodyParser {
  const cores = availableParallelism();
  const workerFile = new URL('./parse-worker.js', import.meta.url);
  if (cores < 2 || feeds < MIN_FEEDS_FOR_WORKERS || !existsSync(fileURLToPath(workerFile))) return inlineParser(setup);
  return workerParser(setup, workerFile, parseWorkers(cores));
}

export function inlineParser(setup: ParseSetup): BodyParser {
  const matchers = compileSetup(setup);
  return {
    parse: async (job) => unwrap(await runParseJob(job, matchers)),
    enrich: (items, o) => enrichItems(items, matchers.topics, { feedUrl: o.feedUrl, declaredLanguage: o.language, accounts: matchers.accounts }),
    close: async () => undefined,
  };
}

function workerParser(setup: ParseSetup, file: URL, size: number): BodyParser {
  // if a worker dies, its jobs and all later ones are parsed in this thread instead
  const fallback = inlineParser(setup);
  const pending = new Map<number, { resolve: (o: ParseOutcome) => void; reject: (e: unknown) => void; worker: Worker }>();
  const load = new Map<Worker, number>();
  let nextId = 1;
  let broken: unknown = undefined;
  // started on the first body: a run where every feed answers 304 never pays for them
  let workers: Worker[] | undefined;
  const start = (): Worker[] =>
    Array.from({ length: size }, () => {
      const w = new Worker(file, { workerData: setup });
      load.set(w, 0);
      w.on('message', (msg: { id: number; outcome: ParseOutcome }) => {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        load.set(w, load.get(w)! - 1);
        p.resolve(msg.outcome);
      });
      w.on('error', (err) => {
        broken = err;
        for (const [id, p] of pending) {
          if (p.worker === w) {
            pending.delete(id);
            p.reject(err);
          }
        }
      });
      return w;
    });
  return {
    parse(job) {
      if (broken) return fallback.parse(job);
      workers ??= start();
      // the least busy worker; the body is copied (not transferred: the caller may still log its size)
      const w = workers.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
      load.set(w, load.get(w)! + 1);
      const id = nextId++;
      return new Promise<ParseOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: w });
        w.postMessage({ id, job });
      }).then(unwrap, () => fallback.parse(job));
    },
    enrich: (items, o) => fallback.enrich(items, o),
    async close() {
      if (workers) await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
