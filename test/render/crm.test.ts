import { describe, expect, it } from 'vitest';
import { crmFiles, noteId, type CrmAccount } from '../../src/render/crm.js';
import { sampleMoment } from '../helpers/moments.js';

const ESC = '\x1b';
const accounts = new Map<number, CrmAccount>([
  [1, { id: 1, name: 'Acme Corporation, Inc.', domain: 'acme.com', externalId: '5173201001', origin: 'hubspot-companies' }],
  [2, { id: 2, name: '=HYPERLINK("http://evil.example","Globex")', domain: 'globex.de', externalId: '0015g00000AbCdEAAV', origin: 'salesforce-accounts' }],
  [3, { id: 3, name: 'Umbrella Labs', domain: 'umbrella.github.io', externalId: null, origin: 'csv-accounts' }],
]);
const spike = sampleMoment({
  accounts: [
    { id: 1, name: 'Acme Corporation, Inc.', domain: 'acme.com', items: 12, confidence: 0.95 },
    { id: 2, name: '=HYPERLINK("http://evil.example","Globex")', domain: 'globex.de', items: 1, confidence: 0.6 },
  ],
});
const hostile = sampleMoment({
  rank: 2,
  topic: `+cmd|' /C calc'!A0`,
  kind: 'sentiment-shift',
  direction: 'negative',
  ongoing: true,
  examples: [{ title: `-2+3 ${ESC}[31mred${ESC}[0m, "quoted"`, link: 'https://news.example/a?b=1,2', source: '@evil', publishedAt: 0, sentiment: -0.5 }],
  accounts: [{ id: 3, name: 'Umbrella Labs', domain: 'umbrella.github.io', items: 2, confidence: 0.95 }],
});
const none = sampleMoment({ rank: 3, topic: 'Initech' });

const ID1 = noteId(spike, accounts.get(1)!);
const ID2 = noteId(spike, accounts.get(2)!);
const ID3 = noteId(hostile, accounts.get(3)!);

describe('export --to hubspot', () => {
  it('writes notes (one per moment and account) and the companies they are about, byte for byte, formula-safe', () => {
    const [notes, companies] = crmFiles('hubspot', [spike, hostile, none], accounts);
    expect(notes!.name).toBe('hubspot-notes.csv');
    expect(notes!.text).toBe(
      'Momentscan ID,Note body,Activity date,Company domain name,Company name\r\n' +
        `${ID1},"momentscan: volume spike in ""Acme Robotics"", score 23.4, 2026-11-18T12:00:00Z to 2026-11-19T06:00:00Z.\n` +
        '52 stories vs 6.4 expected; tone -0.12 vs +0.08 before.\n' +
        'Acme Corporation, Inc.: 12 items of the moment involve it.\n' +
        'Top: Acme recalls the Glide, says ""sorry"" (Daily Ledger) https://www.dailyledger.example/acme-glide",2026-11-18 18:00,acme.com,"Acme Corporation, Inc."\r\n' +
        `${ID2},"momentscan: volume spike in ""Acme Robotics"", score 23.4, 2026-11-18T12:00:00Z to 2026-11-19T06:00:00Z.\n` +
        '52 stories vs 6.4 expected; tone -0.12 vs +0.08 before.\n' +
        '=HYPERLINK(""http://evil.example"",""Globex""): 1 item of the moment involve it.\n' +
        'Top: Acme recalls the Glide, says ""sorry"" (Daily Ledger) https://www.dailyledger.example/acme-glide",2026-11-18 18:00,globex.de,"\'=HYPERLINK(""http://evil.example"",""Globex"")"\r\n' +
        `${ID3},"momentscan: negative tone shift in ""+cmd|' /C calc'!A0"", score 23.4, ongoing since 2026-11-18T12:00:00Z.\n` +
        '52 stories vs 6.4 expected; tone -0.12 vs +0.08 before.\n' +
        'Umbrella Labs: 2 items of the moment involve it.\n' +
        'Top: -2+3 red, ""quoted"" (@evil) https://news.example/a?b=1,2",2026-11-18 18:00,umbrella.github.io,Umbrella Labs\r\n',
    );
    expect(companies!.name).toBe('hubspot-companies.csv');
    // a HubSpot Record ID only for companies that came from HubSpot
    expect(companies!.text).toBe(
      'Record ID,Company name,Company domain name\r\n' +
        '5173201001,"Acme Corporation, Inc.",acme.com\r\n' +
        ',"\'=HYPERLINK(""http://evil.example"",""Globex"")",globex.de\r\n' +
        ',Umbrella Labs,umbrella.github.io\r\n',
    );
  });

  it('a note keeps its id across exports (the CRM upserts, never duplicates); another moment or account has another', () => {
    expect(ID1).toMatch(/^momentscan-[0-9a-f]{24}$/);
    expect(noteId(sampleMoment({ score: 99, end: 0 }), accounts.get(1)!)).toBe(ID1);
    expect(new Set([ID1, ID2, ID3, noteId(sampleMoment({ start: 0 }), accounts.get(1)!)]).size).toBe(4);
  });
});

describe('export --to salesforce', () => {
  it('writes ContentNote-style rows with an External Id, linked by the Salesforce Id where the account has one', () => {
    const [file, ...rest] = crmFiles('salesforce', [spike, hostile, none], accounts);
    expect(rest).toEqual([]);
    expect(file!.name).toBe('salesforce-notes.csv');
    const lines = file!.text.split('\r\n');
    expect(lines[0]).toBe('External Id,Title,Content,Activity Date,Account Id,Account Name,Website');
    expect(lines).toHaveLength(5); // header, 3 notes, the empty string after the last CRLF
    expect(lines[1]).toMatch(new RegExp(`^${ID1},"Volume spike: Acme Robotics \\(Acme Corporation, Inc\\.\\)","momentscan: volume spike`));
    expect(lines[1]).toMatch(/",2026-11-18T18:00:00Z,,"Acme Corporation, Inc\.",acme\.com$/);
    expect(lines[2]).toMatch(/",2026-11-18T18:00:00Z,0015g00000AbCdEAAV,"'=HYPERLINK\(""http:\/\/evil\.example"",""Globex""\)",globex\.de$/);
    expect(lines[3]).toMatch(new RegExp(`^${ID3},Negative tone shift: \\+cmd`));
    expect(file!.text).not.toContain(ESC);
  });
});
