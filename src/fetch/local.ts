/** Local files read as sources (a feed file, a file of items): the checks and errors they share. */
import { open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FeedError } from '../core/errors.js';

export const tooLargeFile = (maxBytes: number) => new FeedError('too-large', `file larger than ${formatBytes(maxBytes)}`, { hint: 'raise fetch.maxBytes in the config' });

/**
 * The file's stats, once it is known to be a regular file of at most `maxBytes` (a FIFO blocks forever
 * and a device such as /dev/zero never ends, its size reading 0: regular files only).
 */
export async function statLocalFile(file: string, maxBytes: number): Promise<Stats> {
  const st = await stat(file);
  if (st.isDirectory()) throw new FeedError('file', `${file} is a folder, not a feed file`);
  if (!st.isFile()) {
    const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a file';
    throw new FeedError('file', `${file} is not a regular file (${kind})`, { hint: 'point the feed at a regular file' });
  }
  if (st.size > maxBytes) throw tooLargeFile(maxBytes);
  return st;
}

/** The hint for a feed file not found, as a path in the config (`feeds test` gives its own for a path typed on the command line). */
export const CONFIG_PATH_HINT = 'check the path in the config (relative paths are relative to the config file)';

/** A failure reading a local file as a FeedError naming it (a FeedError is passed on as it is). */
export function localFileError(err: unknown, file: string): FeedError {
  if (err instanceof FeedError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FeedError('file', `file not found: ${file}`, { hint: CONFIG_PATH_HINT });
  if (code === 'EACCES') return new FeedError('file', `permission denied: ${file}`);
  return new FeedError('file', `cannot read ${file} (${code ?? String(err)})`);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/**
 * At most `maxBytes` of a file (null when it holds more): the same cap as HTTP bodies, whatever its size
 * said a moment ago (it may have grown, or been swapped for another file, since).
 */
export async function readCapped(file: string, maxBytes: number): Promise<Uint8Array | null> {
  const handle = await open(file, 'r');
  try {
    if (!(await handle.stat()).isFile()) throw new FeedError('file', `${file} is not a regular file`, { hint: 'point the feed at a regular file' });
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, 1024 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return null;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** A local file's bytes, at most `maxBytes` of them, or a FeedError naming the file. */
export async function readLocalFile(file: string, maxBytes: number): Promise<Uint8Array> {
  let body: Uint8Array | null;
  try {
    await statLocalFile(file, maxBytes);
    body = await readCapped(file, maxBytes);
  } catch (err) {
    throw localFileError(err, file);
  }
  if (body === null) throw tooLargeFile(maxBytes);
  return body;
}
