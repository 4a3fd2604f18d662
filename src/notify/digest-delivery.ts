/**
 * A digest sent by email, as `digest --send` does it: a quiet period is not sent unless asked for,
 * `--dry-run` writes the message (MIME) instead of sending it, and a send goes through the email sink.
 * The caller records the digest when this says it went out.
 */
import type { MailSettings } from '../email/settings.js';
import type { DigestModel } from '../moments/types.js';
import { digestSubject, periodText, plural, quietLine, quietToSkip } from '../render/digest.js';

export interface DigestDelivery {
  dryRun: boolean;
  /** Send a quiet digest too. */
  always: boolean;
  quiet: boolean;
  now: number;
  log: (line: string) => void;
  writeOut: (text: string) => Promise<void>;
}

/** Who it went to, or null when nothing was sent (quiet, or a dry run). Throws when the send fails. */
export async function deliverDigest(model: DigestModel, mail: MailSettings, o: DigestDelivery): Promise<string[] | null> {
  const { log } = o;
  if (quietToSkip(model) && !o.always) {
    if (model.itemsStored === false) {
      log(`momentscan: warning: ${quietLine(model)} Nothing sent (--always sends it anyway).`);
    } else if (!o.quiet) {
      log(
        `digest: quiet day — no moments across ${plural(model.topics.length, 'topic')} between ${periodText(model, ' and ')}; nothing sent (--always sends it anyway)`,
      );
    }
    return null;
  }
  const { digestEmail, digestEmailSink } = await import('./sinks/email.js');
  if (o.dryRun) {
    const smtp = await import('../email/smtp.js');
    await o.writeOut(await smtp.buildMime(digestEmail(model, mail, mail.to, o.now)));
    if (!o.quiet) log(`digest: dry run — nothing sent, nothing recorded (would send to ${mail.to.join(', ')}${mail.server ? ` via ${mail.server.display}` : ''})`);
    return null;
  }
  const subject = digestSubject(model, mail.subjectPrefix);
  const result = await digestEmailSink({ from: mail.from, subjectPrefix: mail.subjectPrefix, server: mail.server! }, mail.to).sendDigest!(model, { now: o.now });
  if (result.rejected.length > 0) {
    log(`momentscan: warning: the SMTP server refused ${result.rejected.join(', ')}; the digest went to ${result.accepted.join(', ')}`);
  }
  if (!o.quiet) log(`digest: sent "${subject}" to ${result.accepted.join(', ')} via ${result.via}`);
  return result.accepted;
}
