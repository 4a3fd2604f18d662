import { deserialize, serialize } from 'node:v8';
import { Episodes } from './alerts.js';

/**
 * The engine's whole state as bytes, and back, so that a run can resume where an earlier one left off
 * and say exactly what a replay from the start would. Generic: every field of the engine and of the
 * objects it holds is kept (v8 serialization: numbers bit for bit, NaN, ±Infinity, −0, typed arrays), so
 * a field added to the engine is kept without a change here. Restoring fills a freshly built engine with
 * the same settings: objects of the engine's own classes keep their class and get their fields back;
 * plain objects, arrays and typed arrays are replaced whole.
 */

/** The engine's state, or null when it holds something that cannot be kept (a function). */
export function saveState(engine: object): Uint8Array | null {
  try {
    return serialize(engine);
  } catch {
    return null;
  }
}

/** Fills `fresh` (an engine built with the same settings) with a saved state; false if it does not fit. */
export function restoreState(fresh: object, state: Uint8Array): boolean {
  let saved: unknown;
  try {
    // a copy: the typed arrays deserialized are views on the bytes given, and the engine writes to them
    saved = deserialize(Buffer.from(state));
  } catch {
    return false;
  }
  return fill(fresh as Record<string, unknown>, saved);
}

/** Built-in objects kept whole, like numbers (serialisation keeps their contents). */
const VALUES = [Map, Set, Date, RegExp, ArrayBuffer, SharedArrayBuffer, Error, Boolean, Number, String];

/** An object of one of the engine's own classes (filled field by field when restored). */
const isInstance = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || VALUES.some((c) => v instanceof c)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto !== Object.prototype && proto !== Array.prototype && proto !== null;
};

function fill(target: Record<string, unknown>, saved: unknown): boolean {
  if (saved === null || typeof saved !== 'object') return false;
  const from = saved as Record<string, unknown>;
  const keys = Object.keys(target);
  if (keys.length !== Object.keys(from).length) return false;
  for (const key of keys) {
    if (!(key in from)) return false;
    const t = target[key];
    const s = from[key];
    if (isInstance(t)) {
      if (!fill(t, s)) return false;
    } else if (Array.isArray(t) && t.some(isInstance)) {
      if (!Array.isArray(s) || s.length !== t.length) return false;
      for (let i = 0; i < t.length; i++) {
        if (isInstance(t[i])) {
          if (!fill(t[i] as Record<string, unknown>, s[i])) return false;
        } else t[i] = s[i];
      }
    } else target[key] = s;
  }
  return true;
}

/** Whether the engine has an episode open (a burst or a swing, cooling down included). */
export function episodeOpen(engine: object): boolean {
  return episodesOf(engine).some((e) => e.direction !== 0);
}

const found = new WeakMap<object, Episodes[]>();

function episodesOf(engine: object): Episodes[] {
  let list = found.get(engine);
  if (!list) {
    list = [];
    const walk = (v: unknown) => {
      if (v instanceof Episodes) list!.push(v);
      else if (isInstance(v)) Object.values(v).forEach(walk);
      else if (Array.isArray(v)) v.forEach(walk);
    };
    walk(engine);
    found.set(engine, list);
  }
  return list;
}
