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
  /** Alerts the moments made: one when each fired, one more for each growth alert. */
  alerts: number;
  alertsPerWeek: number;
  unlabelled: number;
  threshold: Threshold;
}

/**
 * Per topic, over [from, to): the moments recorded, how many were labelled and how, precision = (real +
 * planned) / labelled, and the alerts they made (one when each fired, one per growth alert) per week. Pure.
 */
export function quality(
  topics: readonly string[],
  labels: readonly Label[],
  moments: ReadonlyMap<string, { moments: number; alerts: number }>,
  thresholds: ReadonlyMap<string, Threshold>,
  from: number,
  to: number,
): Quality[] {
  const weeks = (to - from) / (7 * 86_400_000);
  return topics.map((topic) => {
    const own = labels.filter((l) => l.topic === topic && l.start >= from && l.start < to);
    const n = (v: string) => own.filter((l) => l.verdict === v).length;
    const [real, noise, planned] = [n('real'), n('noise'), n('planned')];
    const { moments: count, alerts } = moments.get(topic) ?? { moments: 0, alerts: 0 };
    return {
      topic,
      labelled: own.length,
      real,
      noise,
      planned,
      precision: own.length ? Math.round(((real + planned) / own.length) * 1000) / 1000 : null,
      moments: count,
      alerts,
      alertsPerWeek: Math.round((alerts / weeks) * 100) / 100,
      unlabelled: Math.max(0, count - own.length),
      threshold: thresholds.get(topic)!,
    };
  });
}
