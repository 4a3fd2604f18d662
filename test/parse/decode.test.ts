import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { decodeBody, headerCharset } from '../../src/fetch/decode.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url));
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const le = Buffer.from(text, 'utf16le');
  return order === 'le' ? le : le.swap16();
};

describe('decodeBody on fixture feeds', () => {
  it.each([
    // file, Content-Type, charset used, text the user should see
    ['latin1.rss.xml', null, 'windows-1252', 'Café in Zürich reopens after façade repairs'],
    ['latin1.rss.xml', 'application/rss+xml; charset=utf-8', 'windows-1252', 'Die Gäste können wieder draußen sitzen'],
    ['latin1.rss.xml', 'text/xml; charset=ISO-8859-1', 'windows-1252', 'Nachrichten aus Zürich'],
    ['windows-1252.rss.xml', 'text/xml', 'windows-1252', 'Retailers’ “best week” since 2020 as €5bn deal closes'],
    ['windows-1251.rss.xml', 'text/xml; charset="windows-1251"', 'windows-1251', 'Учёные из Новосибирска представили новый телескоп'],
    ['windows-1251.rss.xml', undefined, 'windows-1251', 'Новости науки'],
    ['utf16le.atom.xml', 'application/atom+xml; charset=utf-8', 'utf-16le', 'Grüße aus Zürich und 東京 ✈'],
    ['google-news.rss.xml', 'application/xml; charset=UTF-8', 'utf-8', 'Copyright © 2025 Google'],
  ])('%s with Content-Type %s decodes as %s', (file, contentType, charset, expected) => {
    const decoded = decodeBody(fixture(file), contentType);
    expect(decoded.charset).toBe(charset);
    expect(decoded.text).toContain(expected);
    expect(decoded.text).not.toContain('\uFFFD');
  });

  it('strips the byte-order mark so the text starts with the prolog', () => {
    const { text } = decodeBody(fixture('utf16le.atom.xml'));
    expect(text.startsWith('<?xml version="1.0"')).toBe(true);
  });
});

describe('decodeBody charset priority', () => {
  it.each([
    ['a UTF-8 BOM beats a latin-1 header', bytes([0xef, 0xbb, 0xbf], '<r>caf', [0xc3, 0xa9], '</r>'), 'text/xml; charset=iso-8859-1', 'utf-8', '<r>café</r>'],
    ['a UTF-16BE BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16('<r>Zürich</r>', 'be')]), null, 'utf-16be', '<r>Zürich</r>'],
    ['UTF-16LE without a BOM, found by the <?x pattern', utf16('<?xml version="1.0"?><r>é</r>', 'le'), null, 'utf-16le', '<?xml version="1.0"?><r>é</r>'],
    ['UTF-16BE without a BOM, despite a latin-1 header', utf16('<?xml version="1.0"?><r>é</r>', 'be'), 'text/xml; charset=latin1', 'utf-16be', '<?xml version="1.0"?><r>é</r>'],
    ['the header beats the prolog', bytes('<?xml version="1.0" encoding="utf-8"?><r>', [0xe9], '</r>'), 'text/xml; charset=windows-1252', 'windows-1252', '<r>é</r>'],
    ['a valid UTF-8 body declared UTF-8 by header and latin-1 by prolog stays UTF-8', bytes('<?xml version="1.0" encoding="iso-8859-1"?><r>', [0xc3, 0xa9], '</r>'), 'text/xml; charset=utf-8', 'utf-8', '<r>é</r>'],
    ['a latin-1 header on a valid UTF-8 body whose prolog says UTF-8', bytes('<?xml version="1.0" encoding="UTF-8"?><r>', [0xc3, 0xa9], '</r>'), 'text/xml; charset=iso-8859-1', 'utf-8', '<r>é</r>'],
    ['a prolog claiming UTF-16 on ASCII-compatible bytes is ignored', bytes('<?xml version="1.0" encoding="UTF-16"?><r>', [0xc3, 0xa9], '</r>'), null, 'utf-8', '<r>é</r>'],
    ['nothing declared: UTF-8', bytes('<r>', [0xe2, 0x80, 0x99], '</r>'), null, 'utf-8', '<r>’</r>'],
    ['nothing declared and not UTF-8: windows-1252', bytes('<r>', [0x93], 'hi', [0x94, 0x80], '</r>'), undefined, 'windows-1252', '<r>“hi”€</r>'],
    ['an unknown header label falls back without throwing', bytes('<r>ok</r>'), 'text/xml; charset=x-no-such-charset', 'utf-8', '<r>ok</r>'],
    ['an unknown prolog label falls back without throwing', bytes('<?xml version="1.0" encoding="klingon"?><r/>'), null, 'utf-8', '<r/>'],
    ['an empty body', new Uint8Array(0), 'text/xml', 'utf-8', ''],
  ])('%s', (_name, body, contentType, charset, expected) => {
    const decoded = decodeBody(body, contentType);
    expect(decoded.charset).toBe(charset);
    expect(decoded.text.endsWith(expected)).toBe(true);
    expect(decoded.text.startsWith('\uFEFF')).toBe(false);
  });
});

describe('headerCharset', () => {
  it.each([
    ['application/rss+xml; charset=UTF-8', 'UTF-8'],
    ['text/xml;charset="windows-1251"', 'windows-1251'],
    ['text/xml; format=flowed; Charset = koi8-r ; x=y', 'koi8-r'],
    ['text/xml', null],
    ['', null],
    [null, null],
  ])('%s → %s', (contentType, expected) => {
    expect(headerCharset(contentType)).toBe(expected);
  });
});
