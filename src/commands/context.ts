import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { windowProblem, type WindowRequest } from '../core/limits.js';

// (the options, environment, clock, config and output that every command gathers: common.ts and env.ts;
// the render context: output.ts)
export { blockWriter, chooseFormat, commandClock, configFor, log, processEnv, showsProgress, writeOut, type Env, type GlobalOptions, type OutputOptions } from './common.js';
export { noteBigTable, renderContext } from './output.js';

/**
 * Refuses, as a usage error, a period that asks for more than momentscan works with (core/limits.ts): an
 * evaluation time outside 1970–9999, more than ten years, or too many buckets for a topic's bucket size.
 * Checked before the database is read, so an absurd request ends at once, in bounded memory.
 */
export function checkWindow(
  config: Config,
  r: Omit<WindowRequest, 'buckets' | 'baselineMs'> & { topics?: string[]; bucket?: { bucketMs: number | 'auto'; source: string } },
): void {
  const wanted = r.topics?.length ? new Set(r.topics.map((t) => t.toLowerCase())) : null;
  const at = (field: string) => (config.file ? `${config.file}: ${field}` : field);
  const buckets = r.bucket
    ? [r.bucket]
    : config.topics
        .map((t, i) => ({ t, i }))
        .filter(({ t }) => !wanted || wanted.has(t.name.toLowerCase()))
        .map(({ t, i }) => (t.bucketMs !== null ? { bucketMs: t.bucketMs, source: at(`topics[${i}].bucket`) } : { bucketMs: config.defaults.bucketMs, source: at('defaults.bucket') }));
  const problem = windowProblem({ ...r, baselineMs: config.defaults.baselineMs, buckets });
  if (problem) throw new UsageError(problem.message, { hint: problem.hint });
}
