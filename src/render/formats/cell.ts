import type { Cell } from '../types.js';

/** A JSON value as a flat cell: arrays joined with "; " (objects in them as JSON), objects as JSON, undefined as empty. */
export function toCell(v: unknown): Cell {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((e) => (typeof e === 'object' && e !== null ? JSON.stringify(e) : e)).join('; ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v as Cell;
}
