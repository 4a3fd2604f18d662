import type { Label, PlannedEvent, Verdict } from '../store/model.js';

/**
 * What a reported moment carries beside the detection (issue 17): its id in the database (what
 * `momentscan label` takes), the planned events it overlaps, and the verdict a person gave it.
 */
export interface MomentNotes {
  /** The moment's id in the database; null when it is not recorded (a backtest of a moment never reported). */
  id: number | null;
  /** It overlaps a planned event, or a person labelled it planned. Planned moments are reported all the same. */
  planned: boolean;
  /** The planned events it overlaps (each widened by its lead and lag). */
  events: PlannedEvent[];
  /** The verdict given on it (`label`, or r/n in `watch`), or null. */
  label: { verdict: Verdict; note: string | null; at: number } | null;
}

/** The events of `events` that a moment of `topic` over [start, end) overlaps, each widened by its lead and lag. */
export function overlapping(m: { topic: string; start: number; end: number }, events: readonly PlannedEvent[]): PlannedEvent[] {
  // a one-bucket moment still spans its bucket: an empty span is taken as its start instant
  const end = Math.max(m.end, m.start + 1);
  return events.filter((e) => (e.topic === '*' || e.topic === m.topic) && e.start - e.leadMs < end && e.end + e.lagMs > m.start);
}

/** The notes of one moment, from its id, the events around and the labels given. */
export function notesFor(m: { topic: string; start: number; end: number }, id: number | null, events: readonly PlannedEvent[], labels: ReadonlyMap<number, Label>): MomentNotes {
  const hits = overlapping(m, events);
  const l = id === null ? undefined : labels.get(id);
  const label = l ? { verdict: l.verdict, note: l.note, at: l.at } : null;
  return { id, planned: hits.length > 0 || label?.verdict === 'planned', events: hits, label };
}
