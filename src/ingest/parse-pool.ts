import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EnrichedItem, ParsedItem } from '../core/types.js';
import { endWorker } from '../core/worker-end.js';
import { enrichItems } from '../enrich/enrich.js';
import { compileSetup, runParseJob, unwrap, type ParseJob, type ParseOutcome, type ParseSetup, type ParsedBody } from './parse-job.js';

/** Turns fetched bodies into enriched items, in this thread or in worker threads. */
export interface BodyParser {
  parse(job: ParseJob): Promise<ParsedBody>;
  /** Enriches items a source yielded itself (not a feed: nothing to decode or parse), in this thread. */
  enrich(items: ParsedItem[], o: { feedUrl: string; language: string | null }): EnrichedItem[];
  close(): Promise<void>;
  /** Workers that ran out of heap so far (each replaced, its feeds parsed on the main thread). */
  outOfMemory(): number;
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

/**
 * A parse worker's heap: the sentiment model, the language profiles, and one feed at a time with the
 * garbage parsing it makes. Without a limit V8 lets a busy worker's heap grow far past what it holds
 * before collecting (it allows gigabytes on a big machine), so a long fetch's memory followed the total
 * it read; with one it collects sooner. A body of a few MB parses within it; one that does not (a feed of
 * thousands of items, up to fetch.maxBytes) ends its worker with ERR_WORKER_OUT_OF_MEMORY: that feed is
 * parsed on the main thread and a new worker takes the old one's place. 96 MB: a 10 MB document of 10,000
 * items read in slices (parse/feed.ts) parses within it, not within 88; read whole it needed 112.
 */
const WORKER_HEAP: WorkerHeap = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

/** A worker's heap limits (createParser takes others for tests). */
export interface WorkerHeap {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
}
/** Workers that ran out of heap replaced in one fetch; after that, every later feed is parsed on the main thread. */
const MAX_OUT_OF_MEMORY = 16;

/** Below this many feeds a worker's start-up (~0.1 s) costs more than it saves. */
const MIN_FEEDS_FOR_WORKERS = 24;

/**
 * Parsing is the CPU-heavy part of a fetch: with more than one core and enough feeds, it runs in
 * worker threads while this thread does the network and the database.
 */
export function createParser(setup: ParseSetup, feeds: number, o: { heap?: WorkerHeap } = {}): BodyParser {
  const cores = availableParallelism();
  const workerFile = new URL('./parse-worker.js', import.meta.url);
  if (cores < 2 || feeds < MIN_FEEDS_FOR_WORKERS || !existsSync(fileURLToPath(workerFile))) return inlineParser(setup);
  return workerParser(setup, workerFile, parseWorkers(cores), o.heap ?? WORKER_HEAP);
}

export function inlineParser(setup: ParseSetup): BodyParser {
  const matchers = compileSetup(setup);
  return {
    parse: async (job) => unwrap(await runParseJob(job, matchers)),
    enrich: (items, o) => enrichItems(items, matchers.topics, { feedUrl: o.feedUrl, declaredLanguage: o.language, accounts: matchers.accounts }),
    close: async () => undefined,
    outOfMemory: () => 0,
  };
}

function workerParser(setup: ParseSetup, file: URL, size: number, heap: WorkerHeap): BodyParser {
  // if a worker dies, its jobs and all later ones are parsed in this thread instead
  const fallback = inlineParser(setup);
  const pending = new Map<number, { resolve: (o: ParseOutcome) => void; reject: (e: unknown) => void; worker: Worker }>();
  const load = new Map<Worker, number>();
  let nextId = 1;
  let broken: unknown = undefined;
  // started on the first body: a run where every feed answers 304 never pays for them
  let workers: Worker[] | undefined;
  let outOfMemory = 0;
  const spawn = (): Worker => {
    const w = new Worker(file, { workerData: setup, resourceLimits: heap });
    load.set(w, 0);
    w.on('message', (msg: { id: number; outcome: ParseOutcome }) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      load.set(w, load.get(w)! - 1);
      p.resolve(msg.outcome);
    });
    w.on('error', (err) => {
      // a feed too big for a worker's heap: its jobs are parsed on this thread, and a new worker takes its
      // place (unless that keeps happening); any other failure: every later job is parsed on this thread
      const oom = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' && ++outOfMemory <= MAX_OUT_OF_MEMORY;
      if (!oom) broken = err;
      load.delete(w);
      if (oom && workers) workers[workers.indexOf(w)] = spawn();
      for (const [id, p] of pending) {
        if (p.worker === w) {
          pending.delete(id);
          p.reject(err);
        }
      }
    });
    return w;
  };
  const start = (): Worker[] => Array.from({ length: size }, spawn);
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
    outOfMemory: () => outOfMemory,
    async close() {
      // (each settles before it exits: see core/worker-end.ts)
      if (workers) await Promise.all(workers.map((w) => endWorker(w)));
    },
  };
}
