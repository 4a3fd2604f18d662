import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Two processes creating one database at once (a cron fetch starting as an analyst's does, on a new file):
 * both asked SQLite for the write-ahead log while each held the file's read lock, and SQLite answered one
 * of them SQLITE_BUSY at once (no busy timeout: waiting would be a deadlock), so about one such start in
 * twenty failed with 'database is busy'. Real processes on a real file, many times.
 */
const OPEN = `
import { openDatabase } from ${JSON.stringify(path.join(ROOT, 'dist', 'store', 'db.js'))};
try { openDatabase(process.argv[1]).close(); } catch (e) { process.stdout.write(e.message); process.exitCode = 1; }
`;

function open(file: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', OPEN, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (status) => resolve({ status, out }));
  });
}

describe('two processes opening a new database at once', () => {
  it('both open it, every time (60 pairs)', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const failures: string[] = [];
    for (let i = 0; i < 60; i++) {
      const file = path.join(dir, `m${i}.db`);
      for (const r of await Promise.all([open(file), open(file)])) if (r.status !== 0) failures.push(`${i}: ${r.out}`);
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
    expect(failures).toEqual([]);
  });
});
