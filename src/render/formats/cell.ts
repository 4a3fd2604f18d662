import type { Cell } from '../types.js';

/** A JSON value as a flat cell: arrays joined with "; ", objects as JSON, undefined as empty. */
export function toCell(v: unknown): Cell {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.join('; ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v as Cell;
}
