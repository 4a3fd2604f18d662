import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { openTerminal } from '../helpers/tmux.js';

/** Hourly counts with a daily cycle, one burst at row 400. */
function series(n: number): string {
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString();
    const base = 6 + Math.round(4 * Math.sin((2 * Math.PI * (i % 24)) / 24)) + ((i * 7) % 3);
    rows.push(`${t},${i === 400 ? 60 : base}`);
  }
  return `${rows.join('\n')}\n`;
}

describe('momentscan detect', () => {
  it('a folder instead of a file: one line naming it, exit 2 (not "EISDIR: illegal operation on a directory")', () => {
    const home = tempDir();
    const r = runCli(['detect', home], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`momentscan: error: ${home}: is a folder, not a file — give the path of a CSV or NDJSON file, or pipe the series in with -\n`);
  });

  it('rows seconds apart: one line naming the file and two of its rows, exit 2 (not a series of empty verdicts, exit 0)', () => {
    const home = tempDir();
    const rows = ['timestamp,value', ...Array.from({ length: 50 }, (_, i) => `${new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()},${i % 5}`)];
    const r = runCli(['detect'], { home, input: `${rows.join('\n')}\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'momentscan: error: stdin: the rows are 1s apart (line 2 at 2026-01-01T00:00:00.000Z, line 3 at 2026-01-01T00:00:01.000Z): detect judges series of one row a minute or coarser — add the values up per minute (or per 5 minutes, an hour...) first\n',
    );
    // no verdicts were written, nor the header of an output that has no row
    expect(r.stdout).toBe('');
  });

  it.each([['--json'], ['--csv'], ['--ndjson']])('a header alone with %s: stdout stays empty (not a "[" no "]" closes), one line, exit 2', (flag) => {
    const home = tempDir();
    const r = runCli(['detect', flag], { home, input: 'timestamp,value\n' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('momentscan: error: stdin: has no rows, only a header: no series to score — give a CSV with a header line and a row per time (timestamp,value), or NDJSON lines\n');
  });

  it('an empty input is called empty; one row is scored when --resolution gives the step, and without it the error says so', () => {
    const home = tempDir();
    const empty = runCli(['detect', '--json'], { home, input: '' });
    expect(empty.status).toBe(2);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('momentscan: error: stdin: is empty: no series to score — give a CSV with a header line and a row per time (timestamp,value), or NDJSON lines\n');
    const one = 'timestamp,value\n2026-03-01T00:00:00Z,4\n';
    const guessed = runCli(['detect'], { home, input: one });
    expect(guessed.status).toBe(2);
    expect(guessed.stderr).toBe('momentscan: error: stdin: needs at least two rows to tell the resolution — give a longer series, or its step with --resolution (5m, 1h, 1d)\n');
    const given = runCli(['detect', '--resolution', '1h', '--ndjson'], { home, input: one });
    expect(given.stderr).toBe('');
    expect(given.status).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ timestamp: '2026-03-01T00:00:00Z', value: 4, expected: null, learning: true });
  });

  it('a --resolution the rows contradict (1m on hourly rows) is warned of, once, and done as asked; one they agree with is not', () => {
    const home = tempDir();
    const input = series(600);
    const wrong = runCli(['detect', '--resolution', '1m'], { home, input });
    expect(wrong.status).toBe(0);
    expect(wrong.stdout.trim().split('\r\n')).toHaveLength(601);
    expect(wrong.stderr).toBe(
      'momentscan: warning: stdin: --resolution 1m, but the rows are 1h apart (most of the first 500): each row is judged as 1m of the series, so its daily and weekly seasons are misplaced — leave --resolution out to use 1h\n',
    );
    const right = runCli(['detect', '--resolution', '1h'], { home, input });
    expect(right.stderr).toBe('');
    expect(right.stdout).toBe(runCli(['detect'], { home, input }).stdout);
  });

  it("a series from Excel where a comma is the decimal mark (';' between fields, decimal commas, BOM, CRLF) and a TSV are read as the CSV they are", () => {
    const home = tempDir();
    const csv = series(500);
    const want = runCli(['detect'], { home, input: csv });
    expect(want.status).toBe(0);
    const semicolons = `\uFEFF${csv.replaceAll(',', ';').replaceAll('\n', '\r\n')}`;
    const excel = runCli(['detect'], { home, input: semicolons });
    expect(excel.stderr).toBe('');
    expect(excel.stdout).toBe(want.stdout);
    const tsv = runCli(['detect'], { home, input: csv.replaceAll(',', '\t') });
    expect(tsv.stderr).toBe('');
    expect(tsv.stdout).toBe(want.stdout);
    // a long file (its rows read straight from bytes) too
    const long = series(30_000);
    const file = path.join(home, 'excel.csv');
    writeFileSync(file, long.replaceAll(',', ';').replaceAll('\n', '\r\n'));
    const fromFile = runCli(['detect', file], { home });
    expect(fromFile.stderr).toBe('');
    expect(fromFile.stdout).toBe(runCli(['detect'], { home, input: long }).stdout);
    // a decimal comma is the value it means in a ';' file
    const decimals = runCli(['detect', '--ndjson', '--resolution', '1h'], { home, input: 'timestamp;value\r\n2026-03-01 00:00;10,5\r\n' });
    expect(decimals.stderr).toBe('');
    expect(JSON.parse(decimals.stdout).value).toBe(10.5);
  });

  it.each([
    ['a short file (scored here)', 500, 'file'],
    ['a long file (scored on a second core)', 30_000, 'file'],
    ['a pipe', 30_000, 'pipe'],
  ])('a bad row after good ones (%s): every format holds the rows before it, well-formed (JSON closed), and the error says so, exit 2', (_what, n, how) => {
    const home = tempDir();
    const text = `${series(n).replace(/\n$/, '')}\nx,abc\n`;
    const file = path.join(home, 'late.csv');
    writeFileSync(file, text);
    const run = (flag: string) => (how === 'file' ? runCli(['detect', file, flag], { home }) : runCli(['detect', '-', flag], { home, input: text }));
    const name = how === 'file' ? file : 'stdin';
    const error = `momentscan: error: ${name}: line ${n + 2}: cannot read the timestamp "x" (the output holds the ${n.toLocaleString('en-US')} rows before it, well-formed, and none after) — use ISO-8601 (2026-11-20T12:00:00Z), YYYY-MM-DD HH:MM:SS (UTC) or epoch seconds or milliseconds\n`;
    const json = run('--json');
    expect([json.status, json.stderr]).toEqual([2, error]);
    // a script's parser reads it (it failed on a '[' that no ']' closed)
    const rows = JSON.parse(json.stdout) as { timestamp: string }[];
    expect(rows).toHaveLength(n);
    expect(rows.at(-1)!.timestamp).toBe(new Date(Date.UTC(2026, 9, 1) + (n - 1) * 3_600_000).toISOString().replace('.000', ''));
    const ndjson = run('--ndjson');
    expect([ndjson.status, ndjson.stderr]).toEqual([2, error]);
    expect(ndjson.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toHaveLength(n);
    const csv = run('--csv');
    expect([csv.status, csv.stderr]).toEqual([2, error]);
    expect(csv.stdout.endsWith('\r\n')).toBe(true);
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(n + 1);
  }, 60_000);

  it('a Latin-1 byte in a value names the encoding, not the value "4\uFFFD"', () => {
    const home = tempDir();
    const file = path.join(home, 'latin1.csv');
    writeFileSync(file, Buffer.concat([Buffer.from('timestamp,value\n2026-01-01T00:00:00Z,3\n2026-01-01T01:00:00Z,4'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = runCli(['detect', '--json', file], { home });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `momentscan: error: ${file}: line 3: not UTF-8 text (a byte of another encoding, such as Latin-1 or Windows-1252), momentscan reads UTF-8 — save the series as UTF-8 (iconv -f latin1 -t utf-8, or Excel: Save as, CSV UTF-8)\n`,
    );
  });

  it('a gap of a year or more (a typo in a year): a warning naming both rows, every row still scored, exit 0', () => {
    const home = tempDir();
    // (long enough to be read as bytes, on the fast path, from a file)
    const lines = series(25_000).trimEnd().split('\n');
    for (let i = 20_001; i < lines.length; i++) lines[i] = lines[i]!.replace(/^2029/, '3029');
    const file = path.join(home, 'gap.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = runCli(['detect', file], { home });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `momentscan: warning: ${file}: line 20002: 3029-01-11T08:00:00.000Z is 1,000 years after 2029-01-11T07:00:00.000Z on line 20001: the rows after it are judged on the history before it — check the year, or split the series there\n`,
    );
    expect(r.stdout.trim().split('\r\n')).toHaveLength(25_001);
    // piped in (read as text), the same
    expect(runCli(['detect'], { home, input: `${lines.join('\n')}\n` }).stderr).toBe(r.stderr.replace(`${file}:`, 'stdin:'));
  });

  it('writes one row per input row, finds the burst, and stays quiet elsewhere', () => {
    const home = tempDir();
    const r = runCli(['detect'], { home, input: series(500) });
    expect(r.status).toBe(0);
    // CRLF line ends, as every CSV momentscan writes (the plain CSV has a fast path of its own)
    expect(r.stdout.split('\r\n').length).toBe(r.stdout.split('\n').length);
    const lines = r.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('timestamp,value,expected,score,moment,alert');
    expect(lines).toHaveLength(501);
    const rows = lines.slice(1).map((l) => l.split(','));
    const flagged = rows.flatMap((c, i) => (c[4] === 'true' ? [i] : []));
    expect(flagged).toContain(400);
    // the burst's rows: the hour itself and the few hours its evidence lasts
    expect(Math.min(...flagged)).toBe(400);
    expect(Math.max(...flagged)).toBeLessThanOrEqual(406);
    // one alert, when the burst shows; scores are surprises (−log10 p), never negative
    expect(rows.flatMap((c, i) => (c[5] ? [[i, c[5]]] : []))).toEqual([[400, 'onset']]);
    for (const c of rows) expect(Number(c[3])).toBeGreaterThanOrEqual(0);
  });

  it('--direction up alerts on rises only, as topics do; by default a fall alerts too', () => {
    const home = tempDir();
    const text = series(500)
      .split('\n')
      .map((l, i) => (i >= 291 && i <= 302 ? l.replace(/,\d+$/, ',0') : l)) // rows 290–301 (after the header): a fall
      .join('\n');
    const alerts = (args: string[]) => {
      const r = runCli(['detect', ...args], { home, input: text });
      expect(r.status).toBe(0);
      return r.stdout.trim().split('\r\n').slice(1).flatMap((l, i) => (l.split(',')[5] ? [[i, l.split(',')[5]]] : []));
    };
    const both = alerts([]);
    expect(both.filter(([i]) => (i as number) >= 290 && (i as number) <= 301)).toHaveLength(1);
    expect(both).toContainEqual([400, 'onset']);
    expect(alerts(['--direction', 'up'])).toEqual([[400, 'onset']]);
    const bad = runCli(['detect', '--direction', 'sideways'], { home, input: text });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--direction/);
  });

  it('judges 5-minute rows in quarter hours but answers every row: a burst in the first 5 minutes of one alerts on that row', () => {
    const home = tempDir();
    // Poisson counts around 6 per 5 minutes (a fixed generator), one burst in the first row of a quarter hour
    let x = 5;
    const poisson = (rate: number) => {
      let k = 0;
      let p = Math.exp(-rate);
      let cdf = p;
      const u = (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      while (u > cdf) cdf += p *= rate / ++k;
      return k;
    };
    const burst = 3 * 288 + 150;
    const rows = ['timestamp,value'];
    for (let i = 0; i < 3 * 288 + 300; i++) {
      const t = new Date(Date.UTC(2026, 9, 1) + i * 300_000).toISOString();
      rows.push(`${t},${i === burst ? 200 : poisson(6)}`);
    }
    const input = `${rows.join('\n')}\n`;
    const r = runCli(['detect', '--ndjson'], { home, input });
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(3 * 288 + 300);
    expect(out.flatMap((o, i) => (o.alert ? [[i, o.alert]] : []))).toEqual([[burst, 'onset']]);
    // a per-row forecast: about 6 items per 5 minutes, not a quarter hour's 18
    expect(out[burst].expected).toBeGreaterThan(4);
    expect(out[burst].expected).toBeLessThan(9);
    // these look like counts; --counts says so (same output), --no-counts judges each row on its own
    expect(runCli(['detect', '--ndjson', '--counts'], { home, input }).stdout).toBe(r.stdout);
    const rowByRow = runCli(['detect', '--ndjson', '--no-counts'], { home, input });
    expect(rowByRow.status).toBe(0);
    expect(rowByRow.stdout).not.toBe(r.stdout);
  });

  it('a long series from a file (scored on a second core) gives exactly what the same series piped in, or redirected from the file, gives', () => {
    const home = tempDir();
    // 40,000 hourly rows with sentiment and n, some of them empty: over the size scored in a worker
    const rows = ['timestamp,value,sentiment,n'];
    for (let i = 0; i < 40_000; i++) {
      const t = new Date(Date.UTC(2022, 0, 1) + i * 3_600_000).toISOString();
      const v = 6 + Math.round(4 * Math.sin((2 * Math.PI * (i % 24)) / 24)) + ((i * 7) % 3) + (i % 5000 === 4999 ? 50 : 0);
      rows.push(`${t},${v},${i % 7 === 0 ? '' : ((i % 11) / 10 - 0.5).toFixed(2)},${i % 13 === 0 ? '' : v}`);
    }
    const text = `${rows.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(512 * 1024);
    const file = path.join(home, 'long.csv');
    writeFileSync(file, text);
    for (const format of [[], ['--ndjson']]) {
      const fromFile = runCli(['detect', file, ...format], { home });
      const piped = runCli(['detect', '-', ...format], { home, input: text });
      // (`detect - < long.csv`: stdin is the file itself, read as bytes like the file)
      const redirected = runCli(['detect', '-', ...format], { home, stdinFile: file });
      expect(fromFile.status).toBe(0);
      expect(fromFile.stdout.split('\n').length).toBeGreaterThan(40_000);
      expect(fromFile.stdout).toBe(piped.stdout);
      expect(redirected.stderr).toBe('');
      expect(redirected.status).toBe(0);
      expect(redirected.stdout).toBe(fromFile.stdout);
      expect(fromFile.stdout).toMatch(/true/);
    }
  });

  it('a table of 6,000 rows fits 100 columns when piped, one line per row, and a note on stderr suggests a machine format', () => {
    const home = tempDir();
    const r = runCli(['detect', '--format', 'table'], { home, input: series(6000) });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6000 + 4);
    for (const l of lines) expect([...l].length).toBe(100);
    expect(r.stderr).toBe('momentscan: note: 6,000 rows as a table; --csv, --ndjson or --json suit this many (for a spreadsheet, a pager or a script)\n');
  });

  it.each([
    ['one 8 MB line', (file: string) => writeFileSync(file, `timestamp,value\n2026-10-01T00:00:00Z,1\n${'9'.repeat(8 << 20)}\n`), 3],
    ['a quoted field running over 300,000 lines', (file: string) => writeFileSync(file, `timestamp,value\n"${'2026\n'.repeat(300_000)}",1\n`), 2],
  ])('refuses %s, naming the line (a record over 1 MB is not a series row)', (_name, write, line) => {
    const home = tempDir();
    const file = path.join(home, 'huge.csv');
    write(file);
    const r = runCli(['detect', file], { home });
    expect(r.stderr).toBe(`momentscan: error: ${file}: line ${line}: longer than 1,048,576 characters — give one timestamp,value row per line\n`);
    expect(r.status).toBe(2);
  });

  it('a long two-column file (read as bytes) gives what it gives piped in, whatever the form of each row, and the same error', () => {
    const home = tempDir();
    // rows the byte reader takes (ISO times with or without milliseconds, whole numbers) mixed with rows it
    // leaves to the text reader: CRLF, spaces, decimals, a quoted field, epoch seconds, a space for the T,
    // leading zeros; a BOM first and no line break at the end; then the same with the columns swapped
    const start = Date.UTC(2023, 0, 1);
    const forms = (i: number, t: number, v: number): [string, string] => {
      const iso = new Date(t).toISOString();
      switch (i % 9) {
        case 1:
          return [iso.replace('.000Z', 'Z'), String(v)];
        case 2:
          return [iso, ` ${v}`];
        case 3:
          return [iso, `${v}.25`];
        case 4:
          return [`"${iso}"`, String(v)];
        case 5:
          return [String(t / 1000), String(v)];
        case 6:
          return [iso.slice(0, 19).replace('T', ' '), `00${v}`];
        default:
          return [iso, String(v)];
      }
    };
    for (const swap of [false, true]) {
      const rows = [swap ? 'value,timestamp' : 'timestamp,value'];
      for (let i = 0; i < 40_000; i++) {
        const v = 6 + Math.round(4 * Math.sin((2 * Math.PI * (i % 288)) / 288)) + ((i * 7) % 3) + (i % 5000 === 4999 ? 80 : 0);
        const [t, value] = forms(i, start + i * 300_000, v);
        rows.push((swap ? `${value},${t}` : `${t},${value}`) + (i % 10 === 7 ? '\r' : ''));
      }
      const text = `\uFEFF${rows.join('\n')}`;
      expect(text.length).toBeGreaterThan(512 * 1024);
      const file = path.join(home, 'long.csv');
      writeFileSync(file, text);
      const fromFile = runCli(['detect', file], { home });
      const piped = runCli(['detect', '-'], { home, input: text });
      expect(fromFile.status).toBe(0);
      expect(fromFile.stdout.split('\r\n').length).toBe(40_002);
      expect(fromFile.stdout).toBe(piped.stdout);
      expect(fromFile.stdout).toMatch(/,onset\r\n/);
      // a time out of order deep in the file: the same one-line error, naming the line, from both
      writeFileSync(file, `${rows.slice(0, 30_000).join('\n')}\n${rows[20_000]}\n`);
      const late = runCli(['detect', file], { home });
      const latePiped = runCli(['detect', '-'], { home, input: `${rows.slice(0, 30_000).join('\n')}\n${rows[20_000]}\n` });
      expect(late.status).toBe(latePiped.status);
      expect(late.status).not.toBe(0);
      expect(late.stderr.replace(file, 'stdin')).toBe(latePiped.stderr);
      expect(late.stderr).toMatch(/line 30001: .*before/);
    }
  }, 120_000); // eight CLI runs over 40,000 rows

  it('a long series piped into something that stops reading (| head) ends quietly and at once', async () => {
    const home = tempDir();
    const rows = ['timestamp,value'];
    for (let i = 0; i < 60_000; i++) rows.push(`${new Date(Date.UTC(2022, 0, 1) + i * 300_000).toISOString()},${5 + (i % 7)}`);
    const file = path.join(home, 'long.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(import.meta.dirname, '../../bin/momentscan'), 'detect', file], { env: { PATH: process.env.PATH ?? '', HOME: home } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // like head -1
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('is causal: a row scores the same whether or not later rows exist', () => {
    const home = tempDir();
    const full = runCli(['detect', '--resolution', '1h'], { home, input: series(500) }).stdout.split('\n');
    const prefix = runCli(['detect', '--resolution', '1h'], { home, input: series(420) }).stdout.split('\n');
    expect(prefix.slice(0, 421)).toEqual(full.slice(0, 421));
  });

  it('reads NDJSON and writes NDJSON', () => {
    const home = tempDir();
    const input = Array.from({ length: 50 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(), value: 3 })).join('\n');
    const r = runCli(['detect', '--ndjson'], { home, input });
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatchObject({ timestamp: '2026-01-01T00:00:00Z', value: 3, moment: false });
  });

  it.each([
    ['timestamp,value\n2026-01-01T00:00:00Z,3\nyesterday,4\n', /stdin: line 3: .*timestamp/],
    ['timestamp,value\n2026-01-01T00:00:00Z,3\n2026-01-01T01:00:00Z,-2\n', /stdin: line 3: .*0 or more/],
    ['timestamp,value\n2026-01-01T02:00:00Z,3\n2026-01-01T01:00:00Z,4\n', /stdin: line 3: .*(order|earlier|before)/],
    ['value\n3\n', /stdin: line 1: /],
  ])('bad input %j exits 2 naming the line', (input, message) => {
    const home = tempDir();
    const r = runCli(['detect'], { home, input });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('the shared output flags on the streaming commands', () => {
  it('detect and sentiment take --fields, --no-headers and the flat formats, and JSON carries schemaVersion', () => {
    const home = tempDir();
    const input = 'timestamp,value\n2026-01-01T00:00:00Z,3\n2026-01-01T01:00:00Z,4\n';
    expect(runCli(['detect', '--format', 'tsv', '--fields', 'value,moment', '--no-headers'], { home, input }).stdout).toBe('3\tfalse\n4\tfalse\n');
    expect(JSON.parse(runCli(['detect', '--json', '--fields', 'timestamp'], { home, input }).stdout)).toEqual([
      { schemaVersion: 1, timestamp: '2026-01-01T00:00:00Z' },
      { schemaVersion: 1, timestamp: '2026-01-01T01:00:00Z' },
    ]);
    expect(runCli(['detect', '--fields', 'nope'], { home, input }).stderr).toMatch(/--fields: no field named "nope"/);
    const md = runCli(['sentiment', '--format', 'markdown', '--fields', 'label,text'], { home, input: 'not good | at all\n' }).stdout;
    expect(md).toBe('| label | text |\n| --- | --- |\n| negative | not good \\| at all |\n');
  });
});

describe('momentscan detect with sentiment and n columns', () => {
  it('judges tone with the same engine: a swing to negative at normal volume alerts once, on the rows of the swing', () => {
    const home = tempDir();
    const rows = ['timestamp,value,sentiment,n'];
    for (let i = 0; i < 600; i++) {
      const t = new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString();
      // six items an hour, mildly positive with some spread; from row 560 on, clearly negative
      const s = i >= 560 ? -0.6 : 0.1 + 0.2 * Math.sin(i * 1.7);
      rows.push(`${t},6,${s.toFixed(3)},6`);
    }
    const r = runCli(['detect', '--ndjson'], { home, input: `${rows.join('\n')}\n` });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: string; toneAlert: string | null; shift: string | null; alert: string | null; sentimentScore: number });
    expect(out).toHaveLength(600);
    const toneAlerts = out.flatMap((o, i) => (o.toneAlert === 'onset' ? [i] : []));
    expect(toneAlerts).toHaveLength(1);
    expect(toneAlerts[0]).toBeGreaterThanOrEqual(560);
    expect(toneAlerts[0]).toBeLessThan(566);
    expect(out[toneAlerts[0]!]!.shift).toBe('negative');
    expect(out.slice(0, 560).every((o) => o.shift === null)).toBe(true);
    // volume never moved: no volume alert
    expect(out.every((o) => o.alert === null)).toBe(true);
    // the table says so too, in a Tone column, and fits 100 columns
    const table = runCli(['detect', '--format', 'table'], { home, input: `${rows.join('\n')}\n` });
    expect(table.status, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/│ Moment │ Tone +│$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    const onset = lines.find((l) => l.includes(out[toneAlerts[0]!]!.timestamp))!;
    expect(onset).toMatch(/│ negative onset +│$/);
    expect(lines.filter((l) => / negative +│$/.test(l)).length).toBe(out.filter((o) => o.shift === 'negative').length - 1);
  });
});

describe('momentscan detect on a terminal with nothing piped in', () => {
  it('with no file, says what to give at once (exit 2) instead of waiting; with -, says it reads the terminal', async () => {
    const home = tempDir();
    const term = openTerminal({ width: 200, height: 12, home, cwd: home });
    term.run(`${process.execPath} ${BIN} detect; echo "exit=$?"`);
    const screen = await term.waitFor((s) => /exit=\d+/.test(s), 'detect to answer');
    expect(screen).toContain('momentscan: error: no series given: name a file, or pipe one in — momentscan detect series.csv, or … | momentscan detect');
    expect(screen).toContain('exit=2');
    term.run(`${process.execPath} ${BIN} detect -`);
    await term.waitFor((s) => s.includes('detect: reading the series from the terminal'), 'detect - to say it reads the terminal');
    term.run('timestamp,value');
    term.run('2026-01-01T00:00:00Z,3');
    term.run('2026-01-01T01:00:00Z,4');
    term.keys('C-d');
    await term.waitFor((s) => s.includes('2026-01-01T01:00:00Z,4,,0,false,'), 'the rows typed to be scored');
  });
});
