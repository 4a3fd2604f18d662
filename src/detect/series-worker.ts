import { parentPort, workerData } from 'node:worker_threads';
import { serve } from '../core/worker-end.js';
import { buffersOf, type PointBatch, type ScoreBatch, scoreBatch } from './series-batch.js';
import { SeriesDetector, type SeriesOptions } from './series.js';

/**
 * Worker thread of `momentscan detect`: scores batches of a long series, in order, with one detector, and
 * sends each back with its scores (the rows' times and values are what the output shows beside them).
 */
const detector = new SeriesDetector(workerData as SeriesOptions);

// (`spare`: the arrays of a batch of scores the main thread is done with, to fill again)
serve(({ points, spare }: { points: PointBatch; spare: ScoreBatch | null }) => {
  const scores = scoreBatch(detector, points, spare);
  parentPort!.postMessage({ points, scores }, [...buffersOf(points), ...buffersOf(scores)]);
});
