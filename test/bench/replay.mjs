#!/usr/bin/env node
// Times the end-of-fetch story replay alone, on a copy of a fetched database, replaying every item
// (as after a first fetch): wall time, the main thread's heap and RSS at the end, and what moved.
//
//   node test/bench/replay.mjs DB [--scramble] [--out COPY]
//
// --scramble first deals the items out over the stored stories at random (seeded), as a fetch's
// provisional stories might be at worst: the replay must put them back where they were, so a dump of
// the copy (dump-db.mjs) must equal a dump of DB. Run under /usr/bin/time -v for the peak RSS.
// Needs `npm run build`.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { mulberry32 } from './feeds.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { scramble: { type: 'boolean' }, out: { type: 'string' } } });
const src = positionals[0];
if (!src || !existsSync(src)) {
  process.stderr.write('usage: node test/bench/replay.mjs DB [--scramble] [--out COPY]\n');
  process.exit(2);
}
const tmp = values.out ? null : mkdtempSync(path.join(tmpdir(), 'momentscan-replay-'));
const copy = values.out ?? path.join(tmp, 'replay.db');
{
  // a consistent copy, WAL included
  const db = new Database(src, { readonly: true });
  await db.backup(copy);
  db.close();
}
{
  const db = new Database(copy);
  if (values.scramble) {
    const ids = db.prepare('SELECT id FROM stories').pluck().all();
    const rnd = mulberry32(15);
    const move = db.prepare('UPDATE items SET story_id = ? WHERE id = ?');
    db.transaction(() => {
      for (const id of db.prepare('SELECT id FROM items').pluck().all()) move.run(ids[Math.floor(rnd() * ids.length)], id);
    })();
  }
  db.prepare('UPDATE story_state SET replay_from = (SELECT min(published_at) FROM items)').run();
  db.close();
}
const { Store } = await import('../../dist/store/store.js');
const { STORY_LIFE_MS, STORY_WINDOW_MS } = await import('../../dist/enrich/stories.js');
const { STORY_MEMORY_MS, storyAssigner } = await import('../../dist/ingest/stories.js');
const store = Store.open(copy);
const t0 = performance.now();
const summary = store.replayStories(storyAssigner().replay, { windowMs: STORY_WINDOW_MS, memoryMs: STORY_MEMORY_MS, lifeMs: STORY_LIFE_MS });
const ms = performance.now() - t0;
store.close();
const mem = process.memoryUsage();
process.stdout.write(
  `replay: ${(ms / 1000).toFixed(2)} s; ${JSON.stringify(summary)}; heap ${Math.round(mem.heapUsed / 1e6)} MB, rss ${Math.round(mem.rss / 1e6)} MB at the end\n`,
);
if (tmp) rmSync(tmp, { recursive: true, force: true });
