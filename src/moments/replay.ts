import type { Label } from '../store/model.js';

/** What a backtest's moments say of the labels given on moments of its period (issue 17). */
export interface LabelReplay {
  topic: string;
  /** Moments labelled real (or planned: real, and expected) in the period, and how many the backtest raised again. */
  real: number;
  caught: number;
  /** Moments labelled noise in the period, and how many the backtest would still raise. */
  noise: number;
  raised: number;
  /** The labelled moments it missed, and the noise ones it raised: their ids. */
  missedIds: number[];
  raisedIds: number[];
}

type Span = { topic: string; kind: string; direction: string; start: number; end: number };

/** Same topic, kind and direction, overlapping in time (a one-bucket moment spans at least its start). */
export function sameMoment(a: Span, b: Span): boolean {
  return a.topic === b.topic && a.kind === b.kind && a.direction === b.direction && a.start < Math.max(b.end, b.start + 1) && b.start < Math.max(a.end, a.start + 1);
}

/**
 * Per topic: of the labelled moments that started in [from, asOf], how many real ones the backtest's moments
 * catch and how many noise ones they raise. Pure.
 */
export function replayLabels(rows: readonly Span[], labels: readonly Label[], topics: readonly string[], from: number, asOf: number): LabelReplay[] {
  return topics.map((topic) => {
    const own = labels.filter((l) => l.topic === topic && l.start >= from && l.start <= asOf);
    const hit = (l: Label) => rows.some((r) => sameMoment(r, l));
    const real = own.filter((l) => l.verdict !== 'noise');
    const noise = own.filter((l) => l.verdict === 'noise');
    const raised = noise.filter(hit);
    const missed = real.filter((l) => !hit(l));
    return {
      topic,
      real: real.length,
      caught: real.length - missed.length,
      noise: noise.length,
      raised: raised.length,
      missedIds: missed.map((l) => l.momentId),
      raisedIds: raised.map((l) => l.momentId),
    };
  });
}
