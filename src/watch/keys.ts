import type { Key } from './state.js';

/** Escape sequences of the keys the view uses (xterm and VT forms). */
const SEQUENCES: [string, Key][] = [
  ['\x1b[A', 'up'], ['\x1bOA', 'up'],
  ['\x1b[B', 'down'], ['\x1bOB', 'down'],
  ['\x1b[C', 'right'], ['\x1bOC', 'right'],
  ['\x1b[D', 'left'], ['\x1bOD', 'left'],
  ['\x1b[Z', 'backtab'],
  ['\x1b[H', 'home'], ['\x1bOH', 'home'], ['\x1b[1~', 'home'], ['\x1b[7~', 'home'],
  ['\x1b[F', 'end'], ['\x1bOF', 'end'], ['\x1b[4~', 'end'], ['\x1b[8~', 'end'],
  ['\x1b[5~', 'pageup'], ['\x1b[6~', 'pagedown'],
];

/** Any other CSI or SS3 sequence (function keys, mouse reports...): ignored whole. */
const OTHER = /^\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)/;

/** The keys in a chunk of terminal input (raw mode): several may come at once, as when pasting. */
export function parseKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  outer: while (i < input.length) {
    const ch = input[i]!;
    if (ch === '\x1b') {
      for (const [seq, key] of SEQUENCES) {
        if (input.startsWith(seq, i)) {
          keys.push(key);
          i += seq.length;
          continue outer;
        }
      }
      const other = OTHER.exec(input.slice(i));
      if (other) {
        i += other[0].length;
        continue;
      }
      keys.push('escape');
      i++;
      continue;
    }
    i++;
    if (ch === '\x03') keys.push('ctrl-c');
    else if (ch === '\t') keys.push('tab');
    else if (ch === '\r' || ch === '\n') keys.push('enter');
    else if (ch >= ' ' && ch !== '\x7f') keys.push({ char: ch });
  }
  return keys;
}
