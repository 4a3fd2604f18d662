import type { Label } from '../store/model.js';
import type { Threshold } from './thresholds.js';

/** One topic's labels and alerts over a period (`momentscan quality`). */
export interface Quality {
  topic: string;
  labelled: number;
  real: number;
  noise: number;
  planned: number;
  precision: number | null;
  moments: number;
  alertsPerWeek: number;
  unlabelled: number;
  threshold: Threshold;
}

/**
 * Per topic, over [from, to): the moments recorded (each alerted once when it fired), how many were labelled
 * and how, precision = (real + planned) / labelled, and alerts per week. Pure.
 */
export function quality(
  topics: readonly string[],
  labels: readonly Label[],
  moments: ReadonlyMap<string, number>,
  thresholds: ReadonlyMap<string, Threshold>,
  from: number,
  to: number,
): Quality[] {
  const weeks = (to - from) / (7 * 86_400_000);
  return topics.map((topic) => {
    const own = labels.filter((l) => l.topic === topic && l.start >= from && l.start < to);
    const n = (v: string) => own.filter((l) => l.verdict === v).length;
    const [real, noise, planned] = [n('real'), n('noise'), n('planned')];
    const count = moments.get(topic) ?? 0;
    return {
      topic,
      labelled: own.length,
      real,
      noise,
      planned,
      precision: own.length ? Math.round(((real + planned) / own.length) * 1000) / 1000 : null,
      moments: count,
      alertsPerWeek: Math.round((count / weeks) * 100) / 100,
      unlabelled: Math.max(0, count - own.length),
      threshold: thresholds.get(topic)!,
    };
  });
}
