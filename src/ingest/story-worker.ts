import { workerData, type MessagePort } from 'node:worker_threads';
import { serve } from '../core/worker-end.js';
import { ReplayStream, type ReplayOptions, type StoryInput } from '../enrich/stories.js';
import type { StoryRow } from '../store/model.js';
import { ANSWERS, PROGRESS, type StoryAnswer } from './story-thread.js';

/** Worker thread: the story replay's clustering (story-thread.ts), batch by batch, answers in order. */
const { known, options, port, counter } = workerData as { known: StoryRow[]; options: ReplayOptions; port: MessagePort; counter: Int32Array };

const answer = (a: StoryAnswer, transfer: ArrayBuffer[] = []): void => {
  port.postMessage(a, transfer);
  Atomics.add(counter, ANSWERS, 1);
  Atomics.notify(counter, ANSWERS);
};

let stream: ReplayStream | null = null;
let founded = 0;
let failed: string | null = null;
try {
  stream = new ReplayStream(known, options);
} catch (err) {
  failed = err instanceof Error ? (err.stack ?? err.message) : String(err);
}

// (its batches come on `port`; the parent port only asks it to end)
serve(() => undefined);

port.on('message', (items: StoryInput[]) => {
  if (failed !== null || stream === null) return answer({ error: failed ?? 'no stream' });
  try {
    const assigned = new Float64Array(items.length);
    const made: { index: number; signature: string; followUp: number | null }[] = [];
    for (let i = 0; i < items.length; i++) {
      const a = (assigned[i] = stream.push(items[i]!));
      if (a === -(founded + 1)) {
        made.push({ index: i, signature: stream.signature, followUp: stream.followUp });
        founded++;
      }
      Atomics.store(counter, PROGRESS, Atomics.load(counter, PROGRESS) + 1);
    }
    answer({ assigned, founded: made }, [assigned.buffer]);
  } catch (err) {
    failed = err instanceof Error ? (err.stack ?? err.message) : String(err);
    answer({ error: failed });
  }
});
