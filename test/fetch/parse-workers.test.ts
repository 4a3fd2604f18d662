import { describe, expect, it } from 'vitest';
import { parseWorkers } from '../../src/ingest/parse-pool.js';

describe('how many parse workers a fetch starts', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 4],
    [64, 4],
  ])('%i cores: %i (one per core, at most four)', (cores, workers) => {
    expect(parseWorkers(cores, undefined)).toBe(workers);
  });

  it.each([
    ['2', 2],
    ['16', 16],
    [' 3 ', 3],
  ])('MOMENTSCAN_PARSE_WORKERS=%j is obeyed', (env, workers) => {
    expect(parseWorkers(8, env)).toBe(workers);
  });

  it.each(['', '0', '-1', '17', '1.5', 'two'])('MOMENTSCAN_PARSE_WORKERS=%j is ignored: the default for the cores', (env) => {
    expect(parseWorkers(2, env)).toBe(2);
  });
});
