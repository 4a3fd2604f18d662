import { ExitCode, UsageError } from '../../core/errors.js';
import { openStore } from '../../store/store.js';
import { configFor, log, processEnv, type GlobalOptions } from '../context.js';

/** `momentscan events remove ID...`: removes planned events (all or none). */
export async function remove(g: GlobalOptions, o: { ids: string[] }): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const ids = o.ids.map((text) => {
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`events remove: expected an event id (a number from momentscan events list), got "${text}"`);
    return id;
  });
  const store = await openStore(dbPath);
  try {
    store.together(() => {
      for (const id of ids) {
        if (!store.feedback.removeEvent(id)) throw new UsageError(`events remove: no event ${id}`, { hint: 'momentscan events list shows them' });
      }
    });
  } finally {
    store.close();
  }
  if (!g.quiet) log(`events: removed ${ids.join(', ')}`);
  return ExitCode.OK;
}
