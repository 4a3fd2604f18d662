import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/watch/keys.js';

describe('watch keys: raw terminal input', () => {
  it.each([
    ['arrows (CSI)', '\x1b[A\x1b[B\x1b[C\x1b[D', ['up', 'down', 'right', 'left']],
    ['arrows (SS3, application mode)', '\x1bOA\x1bOD', ['up', 'left']],
    ['tab and shift-tab', '\t\x1b[Z', ['tab', 'backtab']],
    ['page keys, home, end', '\x1b[5~\x1b[6~\x1b[H\x1b[4~', ['pageup', 'pagedown', 'home', 'end']],
    ['Ctrl-C and Enter', '\x03\r', ['ctrl-c', 'enter']],
    ['letters typed fast, in one chunk', 'jjl', [{ char: 'j' }, { char: 'j' }, { char: 'l' }]],
    ['an unknown function key is skipped whole', '\x1b[15~q', [{ char: 'q' }]],
    ['a lone Escape', '\x1b', ['escape']],
    ['other control bytes are ignored', '\x00\x7f\x1a', []],
  ])('%s', (_what, input, keys) => {
    expect(parseKeys(input)).toEqual(keys);
  });
});
