import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// What a command loads before its own work: the store's parts a report never calls are loaded when first
// used (store/composed.ts), with require() where Node can load an ES module with it (20.19 and later), all up
// front where it cannot. Modules are seen through a load hook (--import) that lists them in a file.

const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const AS_OF = (JSON.parse(readFileSync(path.join(SAMPLE, 'planted.json'), 'utf8')) as { asOf: string }).asOf;
const UNUSED_BY_A_REPORT = ['store/sqlite/stories.js', 'store/sqlite/fetch-write.js', 'store/sqlite/outbox.js', 'store/sqlite/digests.js', 'store/sqlite/search.js', 'render/digest.js'];

let home: string;
let db: string;
let hook: string;
let olderNode: string;

/** Runs the CLI with the load hook (and `before`, an --import run first); returns what it printed and the dist modules it loaded. */
function traced(args: string[], before?: string) {
  const list = path.join(home, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const imports = [...(before ? [before] : []), hook].map((f) => `--import=${pathToFileURL(f).href}`).join(' ');
  const r = runCli([...args, '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db], { home, env: { NODE_OPTIONS: imports, MODULE_LIST: list } });
  const dist = pathToFileURL(path.join(ROOT, 'dist')).href + '/';
  expect(existsSync(list), r.stderr).toBe(true);
  const modules = readFileSync(list, 'utf8').split('\n').filter((u) => u.startsWith(dist)).map((u) => u.slice(dist.length));
  return { ...r, modules };
}

/** A new home with the hooks (tempDir's folders last one test). */
function setUp(): void {
  home = tempDir();
  db = path.join(home, 'sample.db');
  hook = path.join(home, 'hook.mjs');
  writeFileSync(
    hook,
    `import Module, { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const seen = [];
// (what require() loads, ES modules among them, does not pass the load hook below)
const required = Module.prototype.require;
Module.prototype.require = function (id) {
  const m = required.call(this, id);
  if (id.startsWith('.')) seen.push(pathToFileURL(Module._resolveFilename(id, this)).href);
  return m;
};
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.push(url));
port1.unref();
register('data:text/javascript,' + encodeURIComponent('let port; export function initialize(d) { port = d.port; } export async function load(url, ctx, next) { const r = await next(url, ctx); port.postMessage(url); return r; }'), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => writeFileSync(process.env.MODULE_LIST, seen.join('\\n')));
`,
  );
  // a Node.js before 20.19, as the store sees it: require() cannot load an ES module
  olderNode = path.join(home, 'older-node.mjs');
  writeFileSync(olderNode, "Object.defineProperty(process.features, 'require_module', { value: false });\n");
}

describe('what a command loads before its own work', { timeout: 180_000 }, () => {
  it('a report loads none of the store parts it never calls; a fetch loads the ones it writes with when it writes', () => {
    setUp();
    const scan = traced(['scan', '--json', '--as-of', AS_OF]);
    expect(scan.stderr).toMatch(/fetch: 7 feeds, 7 ok/);
    expect(scan.status).toBe(0);
    // the fetch wrote items and their stories through the parts loaded on first use
    expect(scan.modules).toEqual(expect.arrayContaining(['store/sqlite/fetch-write.js', 'store/sqlite/stories.js']));

    const report = traced(['moments', '--json', '--as-of', AS_OF]);
    expect(report.status).toBe(0);
    expect(report.modules).toContain('store/sqlite/counts.js'); // (the hook sees the store's modules)
    expect(report.modules.filter((m) => UNUSED_BY_A_REPORT.includes(m))).toEqual([]);
    expect(JSON.parse(report.stdout)).toEqual(JSON.parse(scan.stdout));

    // where require() cannot load them, every part is loaded up front, and the report is the same
    const older = traced(['moments', '--json', '--as-of', AS_OF], olderNode);
    expect(older.stderr).toBe(report.stderr);
    expect(older.status).toBe(0);
    expect(older.stdout).toBe(report.stdout);
    expect(older.modules).toEqual(expect.arrayContaining(UNUSED_BY_A_REPORT.filter((m) => m.startsWith('store/'))));
  });

  it('a fetch on a Node.js whose require() cannot load ES modules stores the same as one whose can', () => {
    setUp();
    const fresh = (name: string, before?: string) => {
      db = path.join(home, name);
      const r = traced(['fetch', '--json'], before);
      expect(r.stderr).toMatch(/fetch: 7 feeds, 7 ok, 0 not modified, 0 failed, 0 skipped; [\d,]+ new items/);
      expect(r.status).toBe(0);
      const report = traced(['moments', '--json', '--as-of', AS_OF]);
      expect(report.status).toBe(0);
      return report.stdout;
    };
    const lazy = fresh('lazy.db');
    const eager = fresh('eager.db', olderNode);
    expect(JSON.parse(lazy).length).toBeGreaterThanOrEqual(2);
    expect(eager).toBe(lazy);
  });
});
