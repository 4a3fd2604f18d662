import { describe, expect, it } from 'vitest';
import { openLink, opener, webLink } from '../../src/watch/open.js';

describe('watch: opening links', () => {
  it.each([
    ['https://example.com/a?b=1', 'https://example.com/a?b=1'],
    ['http://example.com/x y', 'http://example.com/x%20y'],
    ['javascript:alert(1)', null],
    ['file:///etc/passwd', null],
    ['data:text/html,<b>x</b>', null],
    ['--help', null],
    ['not a url', null],
  ])('%s → %s', (link, expected) => {
    expect(webLink(link)).toBe(expected);
  });

  it('uses the platform opener, and none off a desktop', () => {
    expect(opener('linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [] });
    expect(opener('linux', { WAYLAND_DISPLAY: 'wayland-0' })?.command).toBe('xdg-open');
    expect(opener('linux', {})).toBeNull();
    expect(opener('darwin', {})).toEqual({ command: 'open', args: [] });
    expect(opener('win32', {})?.command).toBe('rundll32');
  });

  it('off a desktop says where the link is; a non-web link is not opened', async () => {
    expect(await openLink('https://example.com/a', 'linux', {})).toBe('no desktop to open it here; the link: https://example.com/a');
    expect(await openLink('javascript:alert(1)', 'linux', { DISPLAY: ':0' })).toMatch(/^not a web link, not opened/);
  });

  it('a missing opener is reported, not thrown', async () => {
    // xdg-open found on no PATH: spawn fails with ENOENT
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await openLink('https://example.com/a', 'linux', { DISPLAY: ':0' })).toBe('could not run xdg-open (ENOENT); the link: https://example.com/a');
    } finally {
      process.env.PATH = saved;
    }
  });
});
