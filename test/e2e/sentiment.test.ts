import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { openTerminal } from '../helpers/tmux.js';

describe('momentscan sentiment', () => {
  it('a folder instead of a file: one line naming it, exit 2 (not "EISDIR: illegal operation on a directory")', () => {
    const home = tempDir();
    const r = runCli(['sentiment', home], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`momentscan: error: ${home}: is a folder, not a file — give the path of a text or NDJSON file, or pipe the texts in with -\n`);
    expect(r.stdout).toBe('');
  });

  it('scores one text per line and NDJSON objects (other fields passed through), NDJSON out', () => {
    const home = tempDir();
    const input = [
      'Thousands stranded as Northwind cancels flights after outage chaos',
      '{"id": 7, "source": "r/flying", "text": "I love the new Acme Glide, it is great!"}',
      '',
      'Streik bei Northwind: Hunderte Flüge gestrichen, Passagiere verärgert',
      'Northwind adds a route to Denver',
    ].join('\n');
    const r = runCli(['sentiment'], { home, input });
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => [x.label, x.language])).toEqual([
      ['negative', 'en'],
      ['positive', 'en'],
      ['negative', 'de'],
      ['neutral', 'en'],
    ]);
    expect(rows[1]).toMatchObject({ id: 7, source: 'r/flying', text: 'I love the new Acme Glide, it is great!' });
    for (const x of rows) expect((x.positive as number) + (x.neutral as number) + (x.negative as number)).toBeCloseTo(1, 2);
  });

  it('reads the lexicons npm run build wrote as they are (current, whole: no note), one file per language', async () => {
    const dir = path.join(ROOT, 'dist/enrich/sentiment');
    const { readLexicon } = (await import(pathToFileURL(path.join(dir, 'lexicon.js')).href)) as typeof import('../../src/enrich/sentiment/lexicon.js');
    for (const language of ['en', 'nl', 'de', 'fr', 'es']) expect(readLexicon(language, path.join(dir, `lexicon-${language}.bin`))?.origin).toBe('prebuilt');
    const r = runCli(['sentiment'], { home: tempDir(), input: 'Streik bei Northwind: Hunderte Flüge gestrichen\nI love it\n' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('a language it cannot score gives a null score, never a fake 0; text in another script has no language either', () => {
    const home = tempDir();
    const input = ['Sciopero alla Northwind: centinaia di voli cancellati', 'Забастовка в Northwind: отменены сотни рейсов', 'Απεργία στη Northwind: ακυρώθηκαν εκατοντάδες πτήσεις', 'Northwind 罢工：数百个航班被取消'].join('\n');
    const r = runCli(['sentiment'], { home, input });
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => [x.language, x.score, x.label])).toEqual([
      ['it', null, null],
      [null, null, null],
      [null, null, null],
      [null, null, null],
    ]);
    // nor fake shares: 0 positive, 1 neutral, 0 negative would count them as neutral in an average
    for (const x of rows) expect([x.positive, x.neutral, x.negative, x.mixed]).toEqual([null, null, null, null]);
    const csv = runCli(['sentiment', '--csv'], { home, input: 'Sciopero alla Northwind: centinaia di voli cancellati\n' }).stdout.split('\r\n');
    expect(csv[1]).toBe(',,it,,,,,Sciopero alla Northwind: centinaia di voli cancellati');
  });

  it('text too short to tell ("hello": a few n-grams Finnish, Spanish, none English) is read as English, as the README says', () => {
    const r = runCli(['sentiment'], { home: tempDir(), input: 'hello\n🎉\nmerci bien\n' });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.language)).toEqual(['en', 'en', 'fr']);
    expect(rows.every((x) => typeof x.score === 'number')).toBe(true);
  });

  it.each([['it'], ['xx'], ['english']])('--language %s is a usage error naming the languages it scores (exit 2)', (code) => {
    const home = tempDir();
    const r = runCli(['sentiment', '--language', code], { home, input: 'fine\n' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`--language: momentscan scores en, nl, de, fr, es, not "${code}"`));
  });

  it('--csv streams a header and one row per text; --explain says which words moved the score', () => {
    const home = tempDir();
    const csv = runCli(['sentiment', '--csv'], { home, input: 'not good\n=cmd|calc\n' }).stdout.split('\r\n');
    expect(csv[0]).toBe('score,label,language,positive,neutral,negative,mixed,text');
    expect(csv[1]).toMatch(/^-0\.\d+,negative,en,/);
    expect(csv[2]).toMatch(/,'=cmd\|calc$/);
    const explained = JSON.parse(runCli(['sentiment', '--explain'], { home, input: 'The update is not good\n' }).stdout) as { explain: { word: string }[] };
    expect(explained.explain.map((e) => e.word).join(' ')).toMatch(/good/);
    // the explain column of --csv was '[object Object]; [object Object]…': each step is its JSON
    const row = runCli(['sentiment', '--explain', '--csv', '--no-headers'], { home, input: 'The update is not good\n' }).stdout;
    expect(row).not.toContain('[object Object]');
    expect(row).toMatch(/""word"":""[^"]*good/);
  });

  // '--fields ""' (a script's empty variable) printed every field as if it were not given, and '--fields score,score'
  // a CSV header naming a column twice
  it.each([
    [['--fields', ''], 'momentscan: error: --fields "" names no field — give the fields to print, comma-separated (--fields topic,score), or leave --fields out for all of them\n'],
    [['--csv', '--fields', 'score, score'], 'momentscan: error: --fields: "score" is named twice — name each field once\n'],
  ])('--fields %j is a usage error', (args, stderr) => {
    const r = runCli(['sentiment', ...args], { home: tempDir(), input: 'good\n' });
    expect(r.stderr).toBe(stderr);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a bad NDJSON line stops with its line number (exit 2)', () => {
    const home = tempDir();
    const file = path.join(home, 'in.ndjson');
    writeFileSync(file, '{"text": "fine"}\n{"text": 5}\n');
    const r = runCli(['sentiment', file], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/in\.ndjson: line 2: a JSON line needs a "text" field with a string/);
  });

  it.each([
    ['{"id": 1, "body": "late again"}', '(it has "id", "body") — give one JSON object with a "text" field per line (if .body is the text: jq -c \'.text = .body\' | momentscan sentiment)'],
    ['{"text": {"en": "late again"}}', '(its "text" is an object) — give one JSON object with a "text" field per line'],
    ['{"text": null}', '(its "text" is null) — give one JSON object with a "text" field per line'],
  ])('a JSON line without a string text (%s) says what it has instead', (line, says) => {
    const home = tempDir();
    const r = runCli(['sentiment'], { home, input: `${line}\n` });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`momentscan: error: stdin: line 1: a JSON line needs a "text" field with a string ${says}\n`);
  });

  it('--fields naming a field no record has is warned of once at the end (it gave {"text":"good"} without a word); an input field is not', () => {
    const home = tempDir();
    const typo = runCli(['sentiment', '--fields', 'text,scroe'], { home, input: 'good\nbad\n' });
    expect(typo.status).toBe(0);
    expect(typo.stdout).toBe('{"schemaVersion":1,"text":"good"}\n{"schemaVersion":1,"text":"bad"}\n');
    expect(typo.stderr).toBe(
      'momentscan: warning: --fields: no record has "scroe" — did you mean score? The fields are score, label, language, positive, neutral, negative, mixed, text, and those of the input\'s JSON records\n',
    );
    // a field of the input's records, on some of them: no warning
    const passed = runCli(['sentiment', '--csv', '--fields', 'id,score'], { home, input: 'plain text\n{"text":"good","id":3}\n' });
    expect(passed.stderr).toBe('');
    expect(passed.stdout).toBe('id,score\r\n,-0.1928\r\n3,0.84\r\n');
  });

  it('a headline that starts with a brace ("{Update} …") is text, not a bad JSON line; a line opening as JSON still must be JSON', () => {
    const home = tempDir();
    const ok = runCli(['sentiment', '--csv', '--fields', 'text,label'], { home, input: 'Acme shares surge\n{Update} Acme recalls robots\n{{name}} loves it\n{"text": "fine"}\n' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\r\n').map((l) => l.split(',')[0])).toEqual(['text', 'Acme shares surge', '{Update} Acme recalls robots', '{{name}} loves it', 'fine', '']);
    for (const bad of ['{"text": "cut', "{'text': 'a Python dict'}"]) {
      const r = runCli(['sentiment'], { home, input: `${bad}\n` });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^momentscan: error: stdin: line 1: not valid JSON/);
    }
  });

  it('texts in UTF-16 are one line saying so (exit 2), not texts scored with NULs between their letters', () => {
    const home = tempDir();
    const file = path.join(home, 'u16.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('I love it\r\nI hate it\r\n', 'utf16le')]));
    const r = runCli(['sentiment', file], { home });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `momentscan: error: ${file}: line 1: holds NUL bytes: UTF-16 text (or not text at all), and momentscan reads UTF-8 — save the texts as UTF-8 (iconv -f utf-16 -t utf-8, or Excel: Save as, CSV UTF-8)\n`,
    );
  });

  it('texts in Latin-1 (not UTF-8): every line scored, and one warning naming the first such line', () => {
    const home = tempDir();
    const file = path.join(home, 'latin1.txt');
    writeFileSync(file, Buffer.from('Northwind is fine\nCaf\xe9 is great\nTr\xe8s mauvais service\n', 'latin1'));
    const r = runCli(['sentiment', file], { home });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).toBe(
      `momentscan: warning: ${file}: line 2: not UTF-8 text (a byte of another encoding, such as Latin-1 or Windows-1252, read as \uFFFD): its letters are lost and its score may be off — save the texts as UTF-8 (iconv -f latin1 -t utf-8)\n`,
    );
  });

  it.each([
    ['an array nested 100,000 deep', `{"text": "fine", "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, /line 2: JSON nested more than 100 levels deep \(the output holds the 1 row before it, well-formed, and none after\) — /],
    ['a number beyond a double (1e309)', '{"text": "fine", "views": 1e309}', /line 2: a number is out of range \(beyond ±1\.8e308, such as 1e309\) \(the output holds the 1 row before it, well-formed, and none after\) — /],
  ])('%s on an NDJSON line: a one-line error with its line number (exit 2), the rows before it written', (_what, bad, message) => {
    const home = tempDir();
    const file = path.join(home, 'in.ndjson');
    writeFileSync(file, `{"text": "great"}\n${bad}\n{"text": "later"}\n`);
    const r = runCli(['sentiment', file], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a bad line after good ones: --json is the rows before it, well-formed (the array closed), and the error says so, exit 2', () => {
    const home = tempDir();
    const input = `${Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, text: `good day ${i}` })).join('\n')}\n{"text": bad\n{"text": "later"}\n`;
    const r = runCli(['sentiment', '--json'], { home, input });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `momentscan: error: stdin: line 301: not valid JSON (Unexpected token 'b', "{"text": bad" is not valid JSON) (the output holds the 300 rows before it, well-formed, and none after) — give one text per line, or one JSON object with a "text" field per line\n`,
    );
    // a script's parser reads it (it failed on a '[' that no ']' closed)
    const rows = JSON.parse(r.stdout) as { id: number }[];
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // a bad first line: an empty array, and the error as it was
    const first = runCli(['sentiment', '--json'], { home, input: '{"text": bad\n' });
    expect([first.status, JSON.parse(first.stdout)]).toEqual([2, []]);
    expect(first.stderr).not.toMatch(/output holds/);
  });

  it('a line longer than 4,194,304 characters (a binary file, /dev/zero) stops with its line number (exit 2), not out of memory', () => {
    const r = runCli(['sentiment'], { home: tempDir(), input: `great\n${'\0'.repeat(5_000_000)}\nlater\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('momentscan: error: stdin: line 2: longer than 4,194,304 characters (the output holds the 1 row before it, well-formed, and none after) — give one text (or one JSON object with a "text" field) per line\n');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('writes every text back whole in UTF-8: multi-byte rows across output blocks, and a row longer than a block', () => {
    // rows are gathered as bytes in blocks of 256 KiB: rows must not be cut or re-encoded where a block ends
    const texts = Array.from({ length: 6000 }, (_, i) => `Überraschung ${i}: café ✈️ 😂 ${'ß'.repeat(i % 90)} — très bien`);
    texts.splice(3000, 0, `${'Ünïcödé 😀 '.repeat(12_000)}end`); // 3 × its length > 256 KiB: a piece of its own
    const r = runCli(['sentiment'], { home: tempDir(), input: `${texts.join('\n')}\n` });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { text: string });
    expect(rows.map((x) => x.text)).toEqual(texts);
  });

  it('streams: a large input flows through without being held, and | head ends quietly', async () => {
    const line = 'Acme recalls kettles over fire risk, customers furious\n';
    const child = spawn(process.execPath, [BIN, 'sentiment'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    let lines = 0;
    let buffered = '';
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines += parts.length;
      if (lines >= 1000) child.stdout.destroy(); // like `| head -1000`
    });
    let written = 0;
    const feed = () => {
      while (written < 200_000) {
        written++;
        if (!child.stdin.write(line)) return void child.stdin.once('drain', feed);
      }
      child.stdin.end();
    };
    child.stdin.on('error', () => undefined);
    feed();
    const code = await done;
    expect(lines).toBeGreaterThanOrEqual(1000);
    expect(code === 0 || code === null).toBe(true);
  });
});

describe('momentscan rescore', () => {
  it('scores again the items another engine version scored, and only those without --all', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    const cfg = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
    runCli(['fetch', '--config', cfg, '--db', db, '--quiet'], { home });
    const conn = new Database(db);
    const total = (conn.prepare('SELECT count(*) FROM items').pluck().get() as number);
    conn.prepare("UPDATE items SET sentiment = 0.99, sentiment_engine = 'old/1' WHERE id <= 10").run();
    conn.close();
    const r = runCli(['rescore', '--config', cfg, '--db', db], { home });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^momentscan: rescored 10 items with momentscan-sentiment\/\d+/);
    const after = new Database(db, { readonly: true });
    expect(after.prepare("SELECT count(*) FROM items WHERE sentiment = 0.99 OR sentiment_engine = 'old/1'").pluck().get()).toBe(0);
    expect(after.prepare('SELECT count(*) FROM item_topics t JOIN items i ON i.id = t.item_id WHERE t.sentiment IS NOT i.sentiment').pluck().get()).toBe(0);
    after.close();
    expect(runCli(['rescore', '--config', cfg, '--db', db, '--all'], { home }).stderr).toContain(`rescored ${total} items`);
  });
});

describe('momentscan sentiment on a terminal with nothing piped in', () => {
  it('with no file, says what to give at once (exit 2) instead of waiting; with -, says it reads the terminal', async () => {
    const home = tempDir();
    const term = openTerminal({ width: 200, height: 12, home, cwd: home });
    term.run(`${process.execPath} ${BIN} sentiment; echo "exit=$?"`);
    const screen = await term.waitFor((s) => /exit=\d+/.test(s), 'sentiment to answer');
    expect(screen).toContain('momentscan: error: no texts given: name a file, or pipe them in — momentscan sentiment texts.txt, or … | momentscan sentiment');
    expect(screen).toContain('exit=2');
    term.run(`${process.execPath} ${BIN} sentiment - --format csv`);
    await term.waitFor((s) => s.includes('sentiment: reading texts from the terminal'), 'sentiment - to say it reads the terminal');
    term.run('What a wonderful, excellent day');
    term.keys('C-d');
    await term.waitFor((s) => /\n0\.\d+,positive,en,[^\n]*,"What a wonderful, excellent day"/.test(s), 'the text typed to be scored');
  });
});
