import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// `momentscan timeline` with no buckets to show says why, as moments and items do: it said "No buckets in that
// period." for a topic never fetched and for a period before its first item alike.
describe('momentscan timeline with nothing to chart', () => {
  it('says the topic has no items yet, or none by --as-of (with when its first is from)', () => {
    const home = tempDir();
    const config = path.join(home, 'm.yaml');
    writeFileSync(config, 'defaults: { bucket: 6h }\ntopics:\n  - name: Acme Robotics\n    keywords: [acme]\nfeeds: [wire.xml]\n');
    const args = ['timeline', 'acme', '--config', config, '--db', path.join(home, 'm.db')];
    const never = runCli([...args, '--as-of', '2026-11-20T12:00:00Z'], { home });
    expect(never.status, never.stderr).toBe(0);
    expect(never.stdout).toBe(
      'Acme Robotics: 6h buckets, 2026-11-13 12:00 → 2026-11-20 12:00 UTC\nNo items of Acme Robotics are stored yet — fetch the feeds with `momentscan fetch` (`momentscan feeds list` shows how they fare).\n',
    );
    const item = (t: number) => `<item><title>Acme news</title><link>https://wire.example/${t}</link><guid>w${t}</guid><pubDate>${new Date(t).toUTCString()}</pubDate></item>`;
    writeFileSync(path.join(home, 'wire.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>${item(Date.UTC(2026, 10, 18, 9))}</channel></rss>`);
    expect(runCli(['fetch', '--config', config, '--db', path.join(home, 'm.db'), '--quiet'], { home }).status).toBe(0);
    const before = runCli([...args, '--as-of', '2026-11-01T00:00:00Z'], { home });
    expect(before.stdout.split('\n')[1]).toBe('No items of Acme Robotics by then: the first is from 2026-11-18 09:00 UTC — give a later --as-of.');
    expect(runCli([...args, '--as-of', '2026-11-01T00:00:00Z', '--json'], { home }).stdout).toBe('[]\n');
  });
});
