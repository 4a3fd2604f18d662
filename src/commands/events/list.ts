import { ExitCode } from '../../core/errors.js';
import { parseTime } from '../../core/time.js';
import { render } from '../../render/index.js';
import { eventsListing } from '../../render/feedback.js';
import { openStore } from '../../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';
import { topicsFlag } from '../flags.js';

/** `momentscan events list`: planned events by start (with --topic, those of the topic and of every topic). */
export async function list(g: GlobalOptions, o: OutputOptions & { topic?: string[]; since?: string }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const topics = topicsFlag(config, o.topic);
  const from = o.since === undefined ? undefined : parseTime(o.since, now, '--since', config.defaults.timeZone);
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows;
  try {
    rows = store.feedback.events({ ...(topics.length ? { topics } : {}), ...(from !== undefined ? { from } : {}) });
  } finally {
    store.close();
  }
  await writeOut(render(format, eventsListing(rows), await renderContext(g, o, env, now, format, config.defaults.timeZone)));
  return ExitCode.OK;
}
