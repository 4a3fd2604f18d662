import type { Sensitivity } from '../config/schema.js';
import { fmtShortIn, zonedDate, zonedMidnight } from '../core/time.js';
import { ALERT_SURPRISE } from '../detect/alerts.js';

/**
 * Thresholds that learn from labels, within bounds (issue 17). Pure: the same labels, the same clock and the
 * same zone give the same threshold and the same history, whenever and wherever it is computed.
 *
 * A topic's threshold is the surprise its moments must reach to alert (detect/alerts.ts). It starts at the
 * configured sensitivity's level and moves in steps of THRESHOLD_STEP:
 * - a `noise` label asks for one step up (fewer alerts);
 * - REAL_RUN `real` labels in a row (no noise between them) ask for one step down;
 * - a step up and a step down still waiting cancel out; `planned` labels ask for nothing (the moment was
 *   real, its timing expected);
 * - at most one step per day of the team (its calendar in its zone, defaults.timeZone; UTC's without one):
 *   a step asked for on a day that already had one waits for the next day (and is taken at its midnight, if
 *   the clock has reached it);
 * - never beyond the sensitivity range: from ALERT_SURPRISE.high to ALERT_SURPRISE.low; a step past it is
 *   dropped.
 * Labels count from when they were given, up to the clock; each adjustment is kept with its reason.
 */
export const THRESHOLD_STEP = 0.25;
export const REAL_RUN = 3;
export const THRESHOLD_MIN = ALERT_SURPRISE.high;
export const THRESHOLD_MAX = ALERT_SURPRISE.low;
const DAY_MS = 86_400_000;

export interface LabelEvent {
  momentId: number;
  verdict: 'real' | 'noise' | 'planned';
  /** When it was given. */
  at: number;
}

export interface Adjustment {
  /** When the step was taken. */
  at: number;
  from: number;
  to: number;
  /** Why, for people: "noise label on moment 12", "3 real labels in a row (moments 4, 5, 7)". */
  reason: string;
  /** The labels that asked for it. */
  momentIds: number[];
}

export interface Threshold {
  /** The surprise level moments of this topic must reach to alert. */
  level: number;
  /** The configured sensitivity's level it starts from (or the one --sensitivity chose). */
  base: number;
  sensitivity: Sensitivity;
  /** `config` (no label moved it), `learned`, or `flag` (--sensitivity on the command line: labels ignored). */
  source: 'config' | 'learned' | 'flag';
  adjustments: Adjustment[];
  /** Steps asked for and not yet taken (one a day): positive up, negative down. */
  pending: number;
  /** Real labels in a row since the last noise label or step down (REAL_RUN makes a step). */
  realRun: number;
  /** One line for people: the level and why. */
  why: string;
}

interface Ask {
  dir: 1 | -1;
  reason: string;
  momentIds: number[];
  /** The day it was asked on. */
  day: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The team's day `ms` falls in, numbered from 1970-01-01 (its calendar date in `tz`). */
function dayOf(ms: number, tz: string): number {
  if (tz === 'UTC') return Math.floor(ms / DAY_MS);
  const { year, month, day } = zonedDate(ms, tz);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** When the team's day numbered `day` (dayOf) begins: its midnight in `tz` (a day may be 23 or 25 hours). */
function dayStart(day: number, tz: string): number {
  if (tz === 'UTC') return day * DAY_MS;
  const d = new Date(day * DAY_MS);
  return zonedMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), tz);
}

/**
 * The threshold of one topic from its labels (any order) at `clock`, one step a day at most, the days the
 * team's in `tz` (defaults.timeZone, with --tz; UTC's without).
 */
export function learnThreshold(sensitivity: Sensitivity, labels: readonly LabelEvent[], clock: number, tz = 'UTC'): Threshold {
  const base = ALERT_SURPRISE[sensitivity];
  const sorted = labels.filter((l) => l.at <= clock).sort((a, b) => a.at - b.at || a.momentId - b.momentId);
  let level = base;
  let lastDay = -Infinity;
  let run: number[] = [];
  const waiting: Ask[] = [];
  const adjustments: Adjustment[] = [];

  /** Takes the oldest waiting step on `day` at time `at`, if that day has had none. */
  const take = (day: number, at: number) => {
    while (waiting.length && day > lastDay) {
      const ask = waiting.shift()!;
      const to = round(Math.min(THRESHOLD_MAX, Math.max(THRESHOLD_MIN, level + ask.dir * THRESHOLD_STEP)));
      if (to === level) continue; // at the edge of the range: dropped
      adjustments.push({ at, from: level, to, reason: ask.reason, momentIds: ask.momentIds });
      level = to;
      lastDay = day;
    }
  };
  /** Steps that waited, taken at the start of each day after the last step, up to `until`. */
  const catchUp = (until: number) => {
    while (waiting.length) {
      const day = Math.max(lastDay + 1, waiting[0]!.day);
      const start = dayStart(day, tz);
      if (start > until) return;
      take(day, start);
    }
  };
  const ask = (a: Ask) => {
    const opposite = waiting.findIndex((w) => w.dir !== a.dir);
    if (opposite >= 0) waiting.splice(opposite, 1);
    else waiting.push(a);
  };

  for (const l of sorted) {
    catchUp(l.at);
    const day = dayOf(l.at, tz);
    if (l.verdict === 'noise') {
      run = [];
      ask({ dir: 1, reason: `noise label on moment ${l.momentId}`, momentIds: [l.momentId], day });
    } else if (l.verdict === 'real') {
      run.push(l.momentId);
      if (run.length >= REAL_RUN) {
        ask({ dir: -1, reason: `${run.length} real labels in a row (moments ${run.join(', ')})`, momentIds: run, day });
        run = [];
      }
    }
    take(day, l.at);
  }
  catchUp(clock);
  const pending = waiting.reduce((s, w) => s + w.dir, 0);
  const source = adjustments.length ? 'learned' : 'config';
  return { level, base, sensitivity, source, adjustments, pending, realRun: run.length, why: whyOf(level, base, sensitivity, adjustments, pending, tz) };
}

/** What a threshold moved by labels asks of the engine: its alert level (part of the engine state's key); nothing otherwise. */
export function engineTuning(t: Threshold | null): { tuning?: { alertSurprise: number } } {
  return t && t.level !== t.base ? { tuning: { alertSurprise: t.level } } : {};
}

/** The threshold --sensitivity chose: labels do not move it. */
export function flagThreshold(sensitivity: Sensitivity): Threshold {
  const level = ALERT_SURPRISE[sensitivity];
  return { level, base: level, sensitivity, source: 'flag', adjustments: [], pending: 0, realRun: 0, why: `${level} (--sensitivity ${sensitivity} on the command line; labels ignored)` };
}

function whyOf(level: number, base: number, sensitivity: Sensitivity, adjustments: Adjustment[], pending: number, tz: string): string {
  const last = adjustments.at(-1);
  const steps = Math.round((level - base) / THRESHOLD_STEP);
  const wait = pending ? `; ${Math.abs(pending)} step${Math.abs(pending) === 1 ? '' : 's'} ${pending > 0 ? 'up' : 'down'} waiting (one a day)` : '';
  const edge = level >= THRESHOLD_MAX ? ' (the top of the range)' : level <= THRESHOLD_MIN ? ' (the bottom of the range)' : '';
  if (!last) return `${level} (sensitivity ${sensitivity}${wait})`;
  const moved = steps === 0 ? 'back at' : `${Math.abs(steps)} step${Math.abs(steps) === 1 ? '' : 's'} ${steps > 0 ? 'above' : 'below'}`;
  return `${level}${edge}: ${moved} sensitivity ${sensitivity} (${base}) after ${adjustments.length} adjustment${adjustments.length === 1 ? '' : 's'}, the last on ${fmtShortIn(last.at, tz).slice(0, 10)}: ${last.reason}${wait}`;
}
