import type { NotifyConfig } from '../config/notify.js';
import { fmtIn } from '../core/time.js';
import type { DrainSummary, EnqueueSummary } from './run.js';

/**
 * What a notify run says on stderr: a warning per delivery that failed (and per channel gone, 410), a
 * note per delivery to retry, and the summary line. Notes are left out with --quiet; warnings never.
 */
export function drainReport(n: NotifyConfig, queued: EnqueueSummary, drained: DrainSummary, tz = 'UTC'): { failed: number; warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  let failed = 0;
  const retrying = drained.results.filter((r) => r.outcome === 'retry');
  const sent = drained.results.filter((r) => r.outcome === 'sent');
  const released = drained.results.filter((r) => r.outcome === 'released');
  const gone = new Set<string>();
  // alerts from before the window (notify was not running): sent late while their moment goes on, else missed
  for (const line of queued.missed) warnings.push(`momentscan: warning: notify: missed while notify was not running, over before this run, not sent: ${line} — see momentscan notify list`);
  for (const line of queued.late) notes.push(`notify: late (notify was not running when it alerted), sent now: ${line}`);
  for (const r of drained.results) {
    const what = `${r.row.event} ${r.row.topic}`;
    if (r.outcome === 'failed') {
      failed++;
      warnings.push(`momentscan: warning: notify: ${r.row.channel}: ${what} was not delivered: ${r.error}`);
      if (r.gone && !gone.has(r.row.channel)) {
        gone.add(r.row.channel);
        warnings.push(`momentscan: warning: notify: ${r.row.channel}: the endpoint answered 410 Gone; nothing more is sent to it — change its url in the config, or check it with momentscan notify test ${r.row.channel}`);
      }
    } else if (r.outcome === 'retry') {
      notes.push(`notify: ${r.row.channel}: ${what} will be tried again from ${fmtIn(r.nextAttemptAt!, tz)}: ${r.error}`);
    }
  }
  if (released.length) notes.push(`notify: the deadline (${Math.round(n.deadlineMs / 1000)}s) passed; ${released.length} ${released.length === 1 ? 'delivery waits' : 'deliveries wait'} for the next run`);
  notes.push(
    `notify: ${queued.alerts} ${queued.alerts === 1 ? 'alert' : 'alerts'} in the period, ${queued.added.length} newly queued${queued.silenced ? ` (${queued.silenced} silenced)` : ''}; ` +
      `${sent.length} delivered in ${drained.messages} ${drained.messages === 1 ? 'message' : 'messages'}, ${retrying.length} to retry, ${failed} failed${drained.held ? `, ${drained.held} held (quiet hours, interval)` : ''}`,
  );
  return { failed, warnings, notes };
}
