import { workerData, type MessagePort } from 'node:worker_threads';
import { serve } from '../core/worker-end.js';
import { loadLexicon, ReplayStream, type StoryInput } from '../enrich/stories.js';
import { ANSWERS, PROGRESS, type StoryAnswer, type StoryStart } from './story-thread.js';

/**
 * Worker thread: the story replay's clustering (story-thread.ts), batch by batch, answers in order. Its first
 * message is the replay's known stories and options (it may be started before they are read: startStoryWorker).
 */
const { port, counter } = workerData as { port: MessagePort; counter: Int32Array };

const answer = (a: StoryAnswer, transfer: ArrayBuffer[] = []): void => {
  port.postMessage(a, transfer);
  Atomics.add(counter, ANSWERS, 1);
  Atomics.notify(counter, ANSWERS);
};

let stream: ReplayStream | null = null;
let founded = 0;
let failed: string | null = null;
// (the word list names are told from, read now: before the first batch, not in the middle of one)
loadLexicon();

// (its batches come on `port`; the parent port only asks it to end)
serve(() => undefined);

port.on('message', (items: StoryInput[] | StoryStart) => {
  if (!Array.isArray(items)) {
    try {
      stream = new ReplayStream(items.known, items.options);
    } catch (err) {
      failed = err instanceof Error ? (err.stack ?? err.message) : String(err);
    }
    return;
  }
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
