import { parentPort, workerData } from 'node:worker_threads';
import { buffersOf, scoreBatch, type PointBatch } from './series-batch.js';
import { SeriesDetector, type SeriesOptions } from './series.js';

/** Worker thread of `momentscan detect`: scores batches of a long series, in order, with one detector. */
const detector = new SeriesDetector(workerData as SeriesOptions);

parentPort!.on('message', (batch: PointBatch) => {
  const scores = scoreBatch(detector, batch);
  parentPort!.postMessage(scores, buffersOf(scores));
});
