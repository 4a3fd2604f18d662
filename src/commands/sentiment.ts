import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, inputFileError, UsageError } from '../core/errors.js';
import { closeEnough, stripControl } from '../core/text.js';
import { identifyLanguage, normalizeLanguage } from '../enrich/language.js';
import { analyzeSentiment, SENTIMENT_LANGUAGES, unscored } from '../enrich/sentiment.js';
import { lineBatches, textLine } from '../parse/lines.js';
import { SCHEMA_FIELD, writer } from '../render/index.js';
import { sentimentRecord, sentimentSheet } from '../render/sentiment.js';
import { chooseFormat, log, processEnv, type GlobalOptions, type OutputOptions } from './env.js';
import { cutShort, noteBigTable, renderContext } from './output.js';

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
  const sheet = sentimentSheet(explain);
  const ctx = await renderContext({ ...g, color: false }, o, env, env.now(), format);
  const out = writer(format, sheet, ctx);
  // --fields may name any field of the input records: one that is neither ours nor in any record is a typo
  // ('--fields text,scroe' gave {"text":"good"} without a word), said once at the end
  const unseen = new Set((ctx.fields ?? []).filter((f) => f !== SCHEMA_FIELD && !sheet.keys!.includes(f)));
  const stdin = !o.source || o.source === '-';
  // with no file and nothing piped in, it waited for the terminal in silence, as if it hung (as detect did)
  if (stdin && process.stdin.isTTY) {
    if (!o.source) throw new UsageError('no texts given: name a file, or pipe them in', { hint: 'momentscan sentiment texts.txt, or … | momentscan sentiment (sentiment - reads what you type, Ctrl-D to end)' });
    process.stderr.write('sentiment: reading texts from the terminal, one a line; Ctrl-D to end\n');
  }
  const input: Readable = stdin ? process.stdin.setEncoding('utf8') : createReadStream(o.source!, { encoding: 'utf8' });
  const name = stdin ? 'stdin' : o.source!;
  const write = async (s: string | Buffer) => {
    if (s.length > 0 && !process.stdout.write(s)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  };
  // output goes out in blocks: a write per row costs more than scoring it
  const pending = new ByteBlocks();
  pending.add(out.head());
  let n = 0;
  let rows = 0;
  let notUtf8 = false;
  try {
    for await (const batch of lineBatches(input, { crlf: true, maxChars: MAX_LINE_CHARS, tooLong: (line) => lineTooLong(name, line) })) {
      for (const raw of batch) {
        n++;
        const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (line.trim() === '') continue;
        // UTF-16 (Excel's "Unicode text", Notepad's "Unicode") read as UTF-8 has a NUL after every ASCII letter:
        // its texts would be scored as letters with NULs between them
        if (line.includes('\0')) {
          throw new InputError(`${name}: line ${n}: holds NUL bytes: UTF-16 text (or not text at all), and momentscan reads UTF-8`, {
            hint: `save the texts as UTF-8 (iconv -f utf-16 -t utf-8, or Excel: Save as, CSV UTF-8)`,
          });
        }
        // a byte that is not UTF-8 (Latin-1's é) is read as U+FFFD: the letter is lost, and with it maybe a
        // word's tone or the language; said once, and the texts are still scored
        if (!notUtf8 && line.includes('\uFFFD')) {
          notUtf8 = true;
          log(`momentscan: warning: ${name}: line ${n}: not UTF-8 text (a byte of another encoding, such as Latin-1 or Windows-1252, read as \uFFFD): its letters are lost and its score may be off — save the texts as UTF-8 (iconv -f latin1 -t utf-8)`);
        }
        const { fields, text } = textLine(line, name, n);
        if (unseen.size) for (const f of unseen) if (Object.hasOwn(fields, f)) unseen.delete(f);
        // text too short to tell is read as English (emoji, a word or two); text in another script is not scored
        const identified = forced ? null : identifyLanguage(text);
        const r = identified?.otherScript ? unscored(null, explain) : analyzeSentiment(text, { language: forced ?? identified?.language ?? 'en', explain });
        pending.add(out.row(sentimentRecord(fields, text, r, explain)));
        rows++;
      }
      if (pending.bytes >= OUT_BLOCK) for (const piece of pending.take()) await write(piece);
    }
  } catch (err) {
    // the rows before a bad line are out, as they would be line by line, and a complete output (the JSON
    // array closed), so that a script's parser reads them; the error says so, exit 2
    // (a file that cannot be opened: nothing read, nothing written)
    const failed = inputFileError(err, name, { file: 'a text or NDJSON file', piped: 'the texts' });
    if (failed !== err) throw failed;
    pending.add(out.end());
    for (const piece of pending.take()) await write(piece);
    throw cutShort(failed, rows);
  }
  noteBigTable(format, rows, g.quiet);
  pending.add(out.end());
  for (const piece of pending.take()) await write(piece);
  if (unseen.size && rows > 0) log(unseenFields([...unseen], sheet.keys!));
  return 0;
}

/** The warning for --fields that no record had: the names, the closest of ours, and where fields come from. */
function unseenFields(names: string[], ours: readonly string[]): string {
  const quoted = names.map((f) => `"${stripControl(f)}"`).join(', ');
  const close = names.map((f) => ours.find((k) => closeEnough(k, f))).filter((k) => k !== undefined);
  const mean = close.length ? `did you mean ${[...new Set(close)].join(', ')}? The` : 'the';
  return `momentscan: warning: --fields: no record has ${quoted} — ${mean} fields are ${ours.join(', ')}, and those of the input's JSON records`;
}

/**
 * The longest line read (4 Mi characters, a long book): a line is held whole to be scored, so without a
 * bound one endless line (a binary file, /dev/zero) took memory until the process died.
 */
const MAX_LINE_CHARS = 1 << 22;

function lineTooLong(name: string, line: number): InputError {
  return new InputError(`${name}: line ${line}: longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters`, {
    hint: 'give one text (or one JSON object with a "text" field) per line',
  });
}

/** Bytes of output gathered before a write. */
const OUT_BLOCK = 1 << 16;
/** Bytes of a buffer rows are encoded into (a row that may not fit in one goes out as its own string). */
const BUFFER_BYTES = 1 << 18;

/**
 * Output rows gathered as UTF-8 bytes, each row encoded into a buffer as it comes. Gathering them as one
 * string cost more than building the rows: the string is a rope of a few pieces per row, which V8
 * flattens and then encodes at the write (~0.45 s of a 5 s run over 187,530 tweets). The bytes are the
 * ones writing the string gives (a row is well-formed UTF-16: JSON escapes lone surrogates).
 */
class ByteBlocks {
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  /** Bytes of buf filled since the last take. */
  private used = 0;
  /** Pieces filled and not yet taken, before buf's. */
  private full: (Buffer | string)[] = [];
  /** Bytes (a string piece: its UTF-16 length) gathered and not yet taken. */
  bytes = 0;

  add(s: string): void {
    if (s.length === 0) return;
    // a UTF-16 code unit is at most 3 bytes of UTF-8
    if (this.used + 3 * s.length > this.buf.length) {
      this.seal();
      if (3 * s.length > this.buf.length) {
        if (3 * s.length > BUFFER_BYTES) {
          this.full.push(s);
          this.bytes += s.length;
          return;
        }
        this.buf = Buffer.allocUnsafe(BUFFER_BYTES);
      }
    }
    const n = this.buf.write(s, this.used);
    this.used += n;
    this.bytes += n;
  }

  /** The pieces gathered, in order; the writer keeps them (a stream may hold a buffer until it is written). */
  take(): (Buffer | string)[] {
    this.seal();
    const pieces = this.full;
    this.full = [];
    this.bytes = 0;
    return pieces;
  }

  /** Moves buf's filled bytes to `full`; the rest of buf (or a new buffer when little is left) takes the next rows. */
  private seal(): void {
    if (this.used === 0) return;
    this.full.push(this.buf.subarray(0, this.used));
    this.buf = this.buf.length - this.used >= OUT_BLOCK ? this.buf.subarray(this.used) : Buffer.allocUnsafe(BUFFER_BYTES);
    this.used = 0;
  }
}

