/**
 * The story replay's clustering in a worker thread (story-worker.ts). The replay runs in one synchronous
 * transaction on this thread, so batches go over a MessageChannel and their answers are taken with
 * receiveMessageOnPort, this thread waiting on a shared counter (Atomics.wait) when one is not there
 * yet: the worker clusters a batch while this thread writes what the batch before it came to.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { endWorker } from '../core/worker-end.js';
import { STORY_LIFE_MS, STORY_WINDOW_MS, type ReplayOptions } from '../enrich/stories.js';
import { StoryThreadError, type ReplayItem, type StoryBatch, type StoryBatches, type StoryRow } from '../store/model.js';

/**
 * Below this many items to replay the clustering stays in this thread: a worker's start-up (a thread, the
 * clustering's code, the word list and the known stories' headlines) costs ~0.1 s, more than the overlap
 * saves on a few thousand items.
 */
export const THREAD_MIN_ITEMS = 20_000;

/**
 * A worker that has clustered nothing for this long while a batch waits is taken for dead (out of memory,
 * or worse: a dead thread cannot say so to a thread waiting in Atomics.wait): the replay runs again in
 * this thread. An item takes well under a millisecond; loading the known stories (up to 200,000 with
 * their headlines) before the first one takes seconds, and minutes only on a machine that is not running.
 */
const STALL_MS = 120_000;

export interface StoryThreadOptions {
  /** Default THREAD_MIN_ITEMS. */
  minItems?: number;
  /** Default STALL_MS. */
  stallMs?: number;
  /** The worker's heap limits (tests: one too small to load in). */
  heap?: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };
}

/** What the worker answers a batch with. */
export type StoryAnswer = { assigned: Float64Array; founded: StoryBatch['founded'] } | { error: string };

/** Slots of the shared counter: answers posted, items clustered. */
export const ANSWERS = 0;
export const PROGRESS = 1;

/** The worker's first message: what storyThread's replay starts from. */
export interface StoryStart {
  known: StoryRow[];
  options: ReplayOptions;
}

/**
 * A story worker started before its replay (startStoryWorker): its thread, the clustering's code and its word
 * list loaded while a fetch's last feeds are saved, off the replay's path (~0.15–0.2 s). Given to storyThread,
 * or ended by endStoryWorker.
 */
export interface StoryWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly counter: Int32Array;
}

/** A story worker, started now; null where it would not pay (one core) or cannot run (no built worker). */
export function startStoryWorker(o: StoryThreadOptions = {}): StoryWorker | null {
  const file = new URL('./story-worker.js', import.meta.url);
  // (from the TypeScript sources, as in tests, there is no worker file: the replay's own thread does it)
  if (availableParallelism() < 2 || !existsSync(fileURLToPath(file))) return null;
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(file, {
    workerData: { port: port2, counter },
    transferList: [port2],
    ...(o.heap ? { resourceLimits: o.heap } : {}),
  });
  // its failures are seen in receive(); unheard, an 'error' event would end this process
  worker.on('error', () => undefined);
  // (waiting for its replay, it keeps no process alive: endWorker holds the process while it ends)
  worker.unref();
  return { worker, port: port1, counter };
}

/** Ends a story worker no replay took (or took and is done with). */
export function endStoryWorker(w: StoryWorker): void {
  w.port.close();
  void endWorker(w.worker);
}

/**
 * The clustering of a replay of `items` items in a worker thread (`ahead`, started before, or a new one), or
 * null where it would not pay (few items, one core, no built worker); `ahead` is then left to its owner.
 */
export function storyThread(known: StoryRow[], items: number, stream: ReplayOptions, o: StoryThreadOptions = {}, ahead: StoryWorker | null = null): StoryBatches | null {
  if (items < (o.minItems ?? THREAD_MIN_ITEMS)) return null;
  const w = ahead ?? startStoryWorker(o);
  if (!w) return null;
  const stallMs = o.stallMs ?? STALL_MS;
  const { port: port1, counter } = w;
  port1.postMessage({ known, options: stream } satisfies StoryStart);
  let sent = 0;
  let received = 0;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    endStoryWorker(w);
  };
  return {
    lifeMs: stream.lifeMs ?? STORY_LIFE_MS,
    windowMs: stream.windowMs ?? STORY_WINDOW_MS,
    send(batch: ReplayItem[]) {
      if (closed) throw new StoryThreadError('story replay: its thread is closed');
      port1.postMessage(batch);
      sent++;
    },
    receive(meanwhile) {
      if (received >= sent) throw new StoryThreadError('story replay: no batch waiting for an answer');
      const want = ++received;
      let progress = Atomics.load(counter, PROGRESS);
      let idle = 0;
      for (;;) {
        const m = receiveMessageOnPort(port1);
        if (m) {
          const answer = m.message as StoryAnswer;
          if ('error' in answer) {
            close();
            throw new StoryThreadError(`story replay: its thread failed: ${answer.error}`);
          }
          return { assigned: answer.assigned, founded: answer.founded };
        }
        const answers = Atomics.load(counter, ANSWERS);
        if (answers >= want) continue; // posted between the look and the count: it is there now
        if (meanwhile?.()) continue;
        if (Atomics.wait(counter, ANSWERS, answers, 1000) !== 'timed-out') continue;
        const now = Atomics.load(counter, PROGRESS);
        idle = now === progress ? idle + 1000 : 0;
        progress = now;
        if (idle >= stallMs) {
          close();
          throw new StoryThreadError(`story replay: its thread stopped answering for ${Math.round(idle / 1000)} s`);
        }
      }
    },
    close,
  };
}
