import { ExitCode, UsageError } from '../core/errors.js';
import { windowProblem } from '../core/limits.js';
import { quality } from '../moments/quality.js';
import { learnThreshold } from '../moments/thresholds.js';
import { render } from '../render/index.js';
import { qualityListing } from '../render/feedback.js';
import { openStore } from '../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';
import { asOfFlag, sinceFlag, topicsFlag } from './flags.js';

/** `momentscan quality`: per topic, the moments labelled and how, precision, alerts per week and the threshold. */
export async function run(g: GlobalOptions, o: OutputOptions & { topic?: string[]; since?: string; asOf?: string }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const asOf = asOfFlag(o.asOf, now, config.defaults.timeZone);
  const from = sinceFlag(o.since ?? '30d', asOf, config.defaults.timeZone);
  // the period's bounds as every command has them (nothing is evaluated: no bucket to check); '--since 999999999d'
  // failed 'Invalid time value', exit 1
  const problem = windowProblem({ since: o.since ?? '30d', from, asOf, baselineMs: config.defaults.baselineMs, buckets: [] });
  if (problem) throw new UsageError(problem.message, { hint: problem.hint });
  const chosen = topicsFlag(config, o.topic);
  const topics = chosen.length ? chosen : config.topics.map((t) => t.name);
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows;
  try {
    const labels = store.feedback.labels(topics);
    const thresholds = new Map(topics.map((t) => [t, learnThreshold(config.defaults.sensitivity, labels.filter((l) => l.topic === t), now, config.defaults.timeZone)]));
    rows = quality(topics, labels, store.feedback.momentCounts(from, asOf + 1), thresholds, from, asOf);
  } finally {
    store.close();
  }
  await writeOut(render(format, qualityListing(rows, { from, to: asOf }), await renderContext(g, o, env, asOf, format, config.defaults.timeZone)));
  return ExitCode.OK;
}
