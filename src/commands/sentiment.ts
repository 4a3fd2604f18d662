import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../core/errors.js';
import { identifyLanguage, normalizeLanguage } from '../enrich/language.js';
import { analyzeSentiment, SENTIMENT_LANGUAGES, unscored } from '../enrich/sentiment.js';
import { lineBatches, textLine } from '../parse/lines.js';
import { writer } from '../render/index.js';
import { sentimentRecord, sentimentSheet } from '../render/sentiment.js';
import { chooseFormat, noteBigTable, processEnv, renderContext, type GlobalOptions, type OutputOptions } from './context.js';

export interface SentimentCommandOptions extends OutputOptions {
  source?: string;
  language?: string;
  explain?: boolean;
}

/**
 * `momentscan sentiment [FILE|-]`: scores one text per line, or NDJSON objects with a `text` field (other
 * fields passed through), streaming: millions of lines go through in constant memory. NDJSON out by
 * default; every format but the table streams (it is for people, and small inputs).
 */
export async function run(g: GlobalOptions, o: SentimentCommandOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o, 'ndjson');
  let forced: string | null = null;
  if (o.language !== undefined) {
    forced = normalizeLanguage(o.language);
    if (!forced || !SENTIMENT_LANGUAGES.includes(forced)) {
      throw new UsageError(`--language: momentscan scores ${SENTIMENT_LANGUAGES.join(', ')}, not "${o.language}"`, {
        hint: 'give one of those codes, or leave --language out to detect each text\'s language',
      });
    }
  }
  const explain = Boolean(o.explain);
  const out = writer(format, sentimentSheet(explain), renderContext({ ...g, color: false }, o, env, env.now()));
  const stdin = !o.source || o.source === '-';
  const input: Readable = stdin ? process.stdin.setEncoding('utf8') : createReadStream(o.source!, { encoding: 'utf8' });
  const name = stdin ? 'stdin' : o.source!;
  const write = async (s: string) => {
    if (s && !process.stdout.write(s)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  };
  // output goes out in blocks: a write per row costs more than scoring it
  let pending = out.head();
  let n = 0;
  let rows = 0;
  try {
    for await (const batch of lineBatches(input, { crlf: true })) {
      for (const raw of batch) {
        n++;
        const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (line.trim() === '') continue;
        const { fields, text } = textLine(line, name, n);
        // text too short to tell is read as English (emoji, a word or two); text in another script is not scored
        const identified = forced ? null : identifyLanguage(text);
        const r = identified?.otherScript ? unscored(null, explain) : analyzeSentiment(text, { language: forced ?? identified?.language ?? 'en', explain });
        pending += out.row(sentimentRecord(fields, text, r, explain));
        rows++;
      }
      if (pending.length >= OUT_BLOCK) {
        await write(pending);
        pending = '';
      }
    }
  } catch (err) {
    // the rows before a bad line are out, as they would be line by line
    await write(pending);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the texts in with -' });
    throw err;
  }
  noteBigTable(format, rows, g.quiet);
  await write(pending + out.end());
  return 0;
}


/** Characters of output gathered before a write. */
const OUT_BLOCK = 1 << 16;

