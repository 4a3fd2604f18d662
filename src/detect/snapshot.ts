import { deserialize, serialize } from 'node:v8';
import { Episodes } from './alerts.js';

/**
 * The engine's whole state as bytes, and back, so that a run can resume where an earlier one left off
 * and say exactly what a replay from the start would. Generic: every field of the engine and of the
 * objects it holds is kept (v8 serialization: numbers bit for bit, NaN, ±Infinity, −0, typed arrays), so
 * a field added to the engine is kept without a change here. Restoring fills a freshly built engine with
 * the same settings: objects of the engine's own classes keep their class and get their fields back;
 * plain objects, arrays and typed arrays are replaced whole.
 *
 * Float64Arrays are written in fewer bytes when their values allow it exactly (packDoubles): the
 * engine's history rings hold counts, row indexes and means of three counts, so a topic's state is
 * ~17 instead of ~109 KB, which a run saves and the store's close copies and syncs (compactState).
 */

/** The engine's state, or null when it holds something that cannot be kept (a function). */
export function saveState(engine: object): Uint8Array | null {
  try {
    return serialize(engine);
  } catch {
    return null;
  }
}

/**
 * A state saveState gave, in fewer bytes (its Float64Arrays packed where exact), for keeping: restores
 * as the same state. (Done once for the state a run keeps, not for each it may keep.)
 */
export function compactState(state: Uint8Array): Uint8Array {
  return serialize(packed(deserialize(state), new Map()));
}

/** Fills `fresh` (an engine built with the same settings) with a saved state; false if it does not fit. */
export function restoreState(fresh: object, state: Uint8Array): boolean {
  let saved: unknown;
  try {
    // a copy: the typed arrays deserialized are views on the bytes given, and the engine writes to them
    saved = unpacked(deserialize(Buffer.from(state)), new Map());
  } catch {
    return false;
  }
  return fill(fresh as Record<string, unknown>, saved);
}

// ------------------------------------------------------------------ Float64Arrays in fewer bytes

/** Marks a packed Float64Array (no engine field has this name). */
const PACKED = '\u0000f64';

/**
 * A Float64Array of n values each k / d for an integer k (d: 1, or 3 for means of three counts), NaN
 * allowed: the ks (or, `delta`, each k less the one before: row indexes) in the narrowest signed type
 * whose least value, which stands for NaN, none of them takes; `runs`: each value repeated so many times.
 */
interface PackedDoubles {
  [PACKED]: 1;
  n: number;
  d: number;
  delta: boolean;
  v: Int8Array | Int16Array | Int32Array;
  runs?: Uint32Array;
}

/** Tried in turn: the first under which every value of an array is exact. */
const DENOMINATORS = [1, 3];
/** Shorter arrays are not worth it. */
const PACK_FROM = 32;
const INT_TYPES = [Int8Array, Int16Array, Int32Array] as const;
const NAN_KEY = -(2 ** 31);

/** The narrowest type for lo..hi that keeps its least value free (for NaN), or null. */
function intType(lo: number, hi: number): (typeof INT_TYPES)[number] | null {
  for (const T of INT_TYPES) {
    const least = -(2 ** (8 * T.BYTES_PER_ELEMENT - 1));
    if (lo > least && hi < -least) return T;
  }
  return null;
}

/** `a` in fewer bytes if every value is exactly an integer over a denominator, else `a` itself. */
export function packDoubles(a: Float64Array): Float64Array | PackedDoubles {
  if (a.length < PACK_FROM) return a;
  for (const d of DENOMINATORS) {
    const p = packOver(a, d);
    if (p) return p;
  }
  return a;
}

/** What scan() finds in an array: its ks' range and runs (NaN among them), and their differences'. */
interface Scanned {
  lo: number;
  hi: number;
  runs: number;
  nan: boolean;
  dlo: number;
  dhi: number;
  druns: number;
}

/**
 * One pass over `a`: false unless every value is k / d exactly (k an integer within Int32, above its
 * least value; −0 is not an integer's), else what it found.
 * (The hot loops touch only Float64Arrays and Int32Arrays, so that V8 optimises them once.)
 */
function scan(a: Float64Array, d: number): Scanned | null {
  let lo = Infinity;
  let hi = -Infinity;
  let runs = 0;
  let nan = 0;
  let last = NaN;
  let dlo = Infinity;
  let dhi = -Infinity;
  let druns = 0;
  let prev = 0;
  let lastStep = NaN;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    let key = NAN_KEY;
    if (x !== x) nan = 1;
    else {
      const k = Math.round(x * d);
      if (k / d !== x || k <= NAN_KEY || k >= 2 ** 31 || (x === 0 && 1 / x < 0)) return null;
      if (k < lo) lo = k;
      if (k > hi) hi = k;
      key = k;
      const step = k - prev;
      prev = k;
      if (step < dlo) dlo = step;
      if (step > dhi) dhi = step;
      if (step !== lastStep) {
        druns++;
        lastStep = step;
      }
    }
    if (key !== last) {
      runs++;
      last = key;
    }
  }
  if (lo > hi) lo = hi = 0;
  return { lo, hi, runs, nan: nan === 1, dlo, dhi, druns };
}

/** Writes the codes of `a` (k, or its difference from the k before; NaN as `nanCode`) to `out`, as runs with `counts` if given. */
function emit(a: Float64Array, d: number, delta: boolean, nanCode: number, out: Int32Array, counts: Uint32Array | null): void {
  let prev = 0;
  let last = NaN;
  let r = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    let code = nanCode;
    if (x === x) {
      const k = Math.round(x * d);
      code = delta ? k - prev : k;
      prev = k;
    }
    if (counts === null) out[i] = code;
    else {
      if (r < 0 || code !== last) {
        out[++r] = code;
        last = code;
      }
      counts[r]!++;
    }
  }
}

function packOver(a: Float64Array, d: number): PackedDoubles | null {
  const found = scan(a, d);
  if (!found) return null;
  const n = a.length;
  // the smallest of: the ks or their differences (none NaN), each flat or as runs
  let best: { delta: boolean; T: (typeof INT_TYPES)[number]; asRuns: boolean; bytes: number } | null = null;
  const consider = (delta: boolean, T: (typeof INT_TYPES)[number] | null, runs: number) => {
    if (!T) return;
    for (const asRuns of [false, true]) {
      const bytes = asRuns ? runs * (T.BYTES_PER_ELEMENT + 4) : n * T.BYTES_PER_ELEMENT;
      if (!best || bytes < best.bytes) best = { delta, T, asRuns, bytes };
    }
  };
  consider(false, intType(found.lo, found.hi), found.runs);
  if (!found.nan) consider(true, intType(found.dlo, found.dhi), found.druns);
  if (!best) return null;
  const { delta, T, asRuns } = best as { delta: boolean; T: (typeof INT_TYPES)[number]; asRuns: boolean };
  const length = asRuns ? (delta ? found.druns : found.runs) : n;
  const out = new Int32Array(length);
  const counts = asRuns ? new Uint32Array(length) : null;
  emit(a, d, delta, -(2 ** (8 * T.BYTES_PER_ELEMENT - 1)), out, counts);
  // (the codes fit T: a conversion in native code)
  const v = T === Int32Array ? out : new T(out);
  return { [PACKED]: 1, n, d, delta, v, ...(counts ? { runs: counts } : {}) };
}

/** The Float64Array packDoubles packed; throws if `p` is not one it could have written. */
export function unpackDoubles(p: PackedDoubles): Float64Array {
  const { n, d, delta, v, runs } = p;
  if (!Number.isInteger(n) || n < 0 || !DENOMINATORS.includes(d) || !INT_TYPES.some((T) => v instanceof T)) throw new Error('not a packed array');
  if (runs ? !(runs instanceof Uint32Array) || runs.length !== v.length || runs.reduce((s, c) => s + c, 0) !== n : v.length !== n) throw new Error('not a packed array');
  const out = new Float64Array(n);
  const nanCode = -(2 ** (8 * v.BYTES_PER_ELEMENT - 1));
  let k = 0;
  let i = 0;
  for (let r = 0; r < v.length; r++) {
    const code = v[r]!;
    for (let c = runs ? runs[r]! : 1; c > 0; c--) {
      if (code === nanCode) out[i++] = NaN;
      else {
        // (a run of differences: each adds its difference again)
        k = delta ? k + code : code;
        out[i++] = k / d;
      }
    }
  }
  return out;
}

/** A copy of the engine's objects and arrays as v8 would write them, its Float64Arrays packed (shared objects stay shared). */
function packed(v: unknown, copies: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const seen = copies.get(v);
  if (seen !== undefined) return seen;
  let copy: unknown;
  if (v instanceof Float64Array) copy = packDoubles(v);
  else if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    copies.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = packed(v[i], copies);
    return out;
  } else if (isInstance(v) || isPlain(v)) {
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const key of Object.keys(v)) out[key] = packed((v as Record<string, unknown>)[key], copies);
    return out;
  } else copy = v;
  copies.set(v, copy);
  return copy;
}

/** The deserialized state with its packed arrays unpacked (in place; an array shared stays shared). */
function unpacked(v: unknown, done: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (done.has(v)) return done.get(v);
  if (PACKED in v) {
    const a = unpackDoubles(v as PackedDoubles);
    done.set(v, a);
    return a;
  }
  done.set(v, v);
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = unpacked(v[i], done);
  else if (isPlain(v)) for (const key of Object.keys(v)) (v as Record<string, unknown>)[key] = unpacked((v as Record<string, unknown>)[key], done);
  return v;
}

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

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
