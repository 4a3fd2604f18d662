// Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the main thread spent its time.
//
//   self time by function   — the hot spots themselves
//   self time by module     — momentscan's own files (dist/...), npm packages, node internals, natives
//   inclusive by module     — time with that module anywhere on the stack: "how long was spent in or
//                             below calls into rss-parser", which maps onto the pipeline's stages;
//                             node's internals are left out, except module loading (one line)
//
// Native work (SQLite inside better-sqlite3, zlib, regex engines) has no JS frame of its own: it shows
// as the JS function that called it, with an empty url, grouped here under "(native)".
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const META = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** A short, stable name for the module a frame belongs to. */
function moduleOf(frame, root) {
  const { url, functionName } = frame;
  if (url === '') return META.has(functionName) ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  if (url.startsWith('wasm:')) return '(wasm: undici\'s llhttp parser)'; // the only WebAssembly loaded here
  let file = url;
  try {
    if (url.startsWith('file:')) file = fileURLToPath(url);
  } catch {
    return url;
  }
  const nm = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (nm !== -1) {
    const parts = file.slice(nm + 14).split(path.sep);
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return path.relative(root, file) || file;
}

function functionKey(frame, root) {
  const name = frame.functionName || '(anonymous)';
  const mod = moduleOf(frame, root);
  return mod === name ? name : `${name} ${mod}:${frame.lineNumber + 1}`;
}

function top(map, total, n) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / total) / 10 }));
}

/**
 * @param profile the parsed .cpuprofile JSON
 * @param root    the project folder (to shorten paths)
 */
export function summarizeProfile(profileOrList, root, n = 15) {
  // several profiles (a process's worker threads) are summed
  const profiles = Array.isArray(profileOrList) ? profileOrList : [profileOrList];
  const byFunction = new Map();
  const byModule = new Map();
  const inclusive = new Map();
  let totalUs = 0;
  let idleUs = 0;
  let sampleCount = 0;
  for (const profile of profiles) {
    const r = addProfile(profile, root, byFunction, byModule, inclusive);
    totalUs += r.totalUs;
    idleUs += r.idleUs;
    sampleCount += profile.samples.length;
  }
  return {
    threads: profiles.length,
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    samples: sampleCount,
    selfByFunction: top(byFunction, totalUs, n),
    selfByModule: top(byModule, totalUs, n),
    inclusiveByModule: top(inclusive, totalUs, n),
  };
}

function addProfile(profile, root, byFunction, byModule, inclusive) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Each sample lasts until the next one: timeDeltas[i + 1] belongs to samples[i] (microseconds).
  const { samples, timeDeltas } = profile;
  const selfUs = new Map(); // node id → µs
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const us = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + us);
    totalUs += us;
  }

  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    const fk = functionKey(frame, root);
    const mk = moduleOf(frame, root);
    byFunction.set(fk, (byFunction.get(fk) ?? 0) + us);
    byModule.set(mk, (byModule.get(mk) ?? 0) + us);
    // Inclusive: every module on this node's stack, once each. Node's own modules are left out
    // (they are on every stack: task queues, module jobs) except module loading, which counts as one.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const m = moduleOf(nodes.get(cur).callFrame, root);
      if (m.startsWith('node:internal/modules/')) seen.add('(module loading: import/require)');
      else if (!META.has(m) && m !== '(native)' && !m.startsWith('node:')) seen.add(m);
    }
    for (const m of seen) inclusive.set(m, (inclusive.get(m) ?? 0) + us);
  }

  const idleUs = [...selfUs].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)').reduce((s, [, us]) => s + us, 0);
  return { totalUs, idleUs };
}

/** The summary as plain text lines. */
export function formatProfile(s, where = 'on the main thread') {
  const lines = [`profiled ${(s.totalMs / 1000).toFixed(2)} s ${where} (${s.samples} samples; idle ${(s.idleMs / 1000).toFixed(2)} s)`];
  const section = (title, rows) => {
    lines.push('', title);
    for (const r of rows) lines.push(`  ${String(r.ms).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  };
  section('self time by function:', s.selfByFunction);
  section('self time by module:', s.selfByModule);
  section('inclusive time by module (module anywhere on the stack):', s.inclusiveByModule);
  return lines;
}
