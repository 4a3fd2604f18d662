import { parentPort, workerData } from 'node:worker_threads';
import { serve } from '../core/worker-end.js';
import { buffersOf, type PointBatch, type ScoreBatch, scoreBatch } from './series-batch.js';
import { detachOnce, warmUp, type WorkerStart } from './series-scorer.js';
import { SeriesDetector } from './series.js';

/**
 * Worker thread of `momentscan detect`: scores batches of a long series, in order, with one detector, and
 * sends each back with its scores (the rows' times and values are what the output shows beside them).
 */
const { options, kind } = workerData as WorkerStart;
detachOnce();
// a made-up series first, on a detector then dropped, while the main thread reads the first batch (see warmUp)
warmUp(options, kind);
const detector = new SeriesDetector(options);

// (`spare`: the arrays of a batch of scores the main thread is done with, to fill again)
serve(({ points, spare }: { points: PointBatch; spare: ScoreBatch | null }) => {
  const scores = scoreBatch(detector, points, spare);
  parentPort!.postMessage({ points, scores }, [...buffersOf(points), ...buffersOf(scores)]);
});
