import { describe, expect, it } from 'vitest';
import { emailIn, isWebmail, normalizeHandle, registrableDomain } from '../../src/core/domain.js';
import { compileAccounts, normalizeName, reviewNotes, type AccountDef, type AccountMatchInput } from '../../src/enrich/accounts.js';

const account = (id: number, name: string, over: Partial<AccountDef> = {}): AccountDef => ({ id, name, domain: null, aliases: [], handles: [], contacts: [], ...over });
const item = (over: Partial<AccountMatchInput> = {}): AccountMatchInput => ({ title: 'Markets were calm today', summary: '', link: null, sourceDomain: null, author: null, ...over });

describe('registrable domains (Public Suffix List, private suffixes on)', () => {
  it.each([
    ['https://news.acme.com/2026/launch?utm_source=x', 'acme.com'],
    ['www.Acme.com/about', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['https://initech.co.uk/en', 'initech.co.uk'],
    ['shop.initech.co.uk', 'initech.co.uk'],
    ['co.uk', null],
    ['https://umbrella.github.io/blog/post', 'umbrella.github.io'],
    ['github.io', null],
    ['https://github.com/acme/glide', 'github.com'],
    ['jane.doe@mail.acme.com', 'acme.com'],
    ['http://127.0.0.1:8080/feed', null],
    // one international domain however written (the punycode form did not match the CRM's café.fr)
    ['https://xn--caf-dma.fr/menu', 'café.fr'],
    ['https://www.café.fr/menu', 'café.fr'],
    ['', null],
  ])('%s → %s', (text, want) => {
    expect(registrableDomain(text)).toBe(want);
  });
});

describe('webmail, e-mails and handles', () => {
  it.each([
    ['gmail.com', true], ['yahoo.co.uk', true], ['gmx.de', true], ['web.de', true], ['outlook.com', true], ['acme.com', false], ['mailchimp.com', false],
  ])('isWebmail(%s) is %s', (d, want) => expect(isWebmail(d)).toBe(want));

  it.each([
    ['jane@acme.com (Jane Doe)', 'jane@acme.com'],
    ['Jane Doe <Jane@Acme.com>', 'jane@acme.com'],
    ['@jane@mastodon.social', null],
    ['Jane Doe', null],
  ])('emailIn(%s) is %s', (t, want) => expect(emailIn(t)).toBe(want));

  it.each([
    ['@JaneDoe', 'janedoe'],
    ['https://twitter.com/acmecorp', 'acmecorp'],
    ['x.com/acmecorp/', 'acmecorp'],
    ['https://mastodon.social/@priya', 'priya@mastodon.social'],
    ['@priya@mastodon.social', 'priya@mastodon.social'],
    ['u/throwaway_1', 'throwaway_1'],
    ['https://www.reddit.com/user/throwaway_1', 'throwaway_1'],
    ['Jane Doe', null],
    ['https://www.linkedin.com/in/jane', null],
  ])('normalizeHandle(%s) is %s', (t, want) => expect(normalizeHandle(t)).toBe(want));
});

describe('names', () => {
  it.each([
    ['Acme Corporation, Inc.', 'acme'],
    ['Globex GmbH', 'globex'],
    ['Initech B.V.', 'initech'],
    ['Café Société S.A.', 'cafe societe'],
    ['Soylent Corp', 'soylent'],
    ['The Home Depot', 'the home depot'],
    ['Inc', 'inc'],
  ])('normalizeName(%s) is %s', (name, want) => expect(normalizeName(name)).toBe(want));

  it('flags short names, common words and names two accounts share, and never matches them alone', () => {
    const accounts = [account(1, 'HP'), account(2, 'Over The'), account(3, 'Delta Air Lines', { aliases: ['Delta'] }), account(4, 'Delta Faucet', { aliases: ['Delta'] }), account(5, 'Globex GmbH')];
    const notes = reviewNotes(accounts);
    expect(notes.get(1)).toEqual(['"HP": shorter than 4 letters: matched only in capitals with Korean joined to it (HP의, HP가)']);
    expect(notes.get(2)).toEqual(['"Over The": a common word']);
    expect(notes.get(3)).toEqual(['"Delta": also the name of account 4 (Delta Faucet)']);
    expect(notes.has(5)).toBe(false);
    const m = compileAccounts(accounts);
    expect(m.match(item({ title: 'HP, Over The Delta news: Globex buys a printer' }))).toEqual([{ accountId: 5, matchType: 'name', confidence: 0.6 }]);
    expect(m.match(item({ title: 'Delta Air Lines cancels flights' }))).toEqual([{ accountId: 3, matchType: 'name', confidence: 0.8 }]);
  });
});

describe('matching an item to accounts', () => {
  const accounts: AccountDef[] = [
    account(1, 'Acme Corporation, Inc.', { domain: 'acme.com', handles: ['acmecorp'], contacts: [{ email: 'jane.doe@acme.com', handles: ['@janedoe'] }] }),
    account(2, 'Umbrella Labs', { domain: 'umbrella.github.io' }),
    account(3, 'Initech B.V.', { domain: 'initech.co.uk', contacts: [{ email: 'priya.nair77@gmail.com', handles: ['https://mastodon.social/@priya'] }] }),
    account(4, 'Apple Inc.', { domain: 'apple.com' }),
    account(5, 'Café Société S.A.', { domain: 'cafe-societe.fr', aliases: ['CS Paris'] }),
    account(6, 'Google', { domain: 'gmail.com' }),
    account(7, 'Hooli', { domain: 'hooli.xyz' }),
    account(8, 'Target Corporation', { domain: 'target.com' }),
    account(9, 'أرامكو', { domain: 'aramco.com' }),
    account(10, '华为技术有限公司', { domain: 'huawei.com', aliases: ['华为'] }),
    account(11, 'ソニー株式会社', { domain: 'sony.co.jp' }),
    account(12, 'Samsung Electronics', { domain: 'samsung.com', aliases: ['삼성전자'] }),
    account(13, 'LG전자 주식회사', { domain: 'lge.co.kr' }),
    account(14, 'Bistro Bleu', { domain: 'https://www.café.fr/' }),
    account(15, 'best buy', { domain: 'bestbuy.com' }),
    account(16, 'LG', { domain: 'lg.com' }),
    account(17, '한화', { domain: 'hanwha.com' }),
    account(18, '현대', { domain: 'hyundai.com' }),
    account(19, '삼성', { domain: 'samsung.co.kr' }),
    account(20, 'HP', { domain: 'hp.com' }),
    account(21, '기아', { domain: 'kia.com' }),
  ];
  const m = compileAccounts(accounts);
  it.each<[string, Partial<AccountMatchInput>, { accountId: number; matchType: string; confidence: number }[]]>([
    ['the link\'s registrable domain', { link: 'https://blog.acme.com/glide' }, [{ accountId: 1, matchType: 'domain', confidence: 0.95 }]],
    ['the <source url> domain', { link: 'https://news.example/acme-story', sourceDomain: 'press.acme.com' }, [{ accountId: 1, matchType: 'source', confidence: 0.9 }]],
    ['a private suffix: the owner, not github.io', { link: 'https://umbrella.github.io/post' }, [{ accountId: 2, matchType: 'domain', confidence: 0.95 }]],
    ['another github.io site is not Umbrella', { link: 'https://someone.github.io/umbrella' }, []],
    ['co.uk: the company under it', { link: 'https://www.initech.co.uk/news' }, [{ accountId: 3, matchType: 'domain', confidence: 0.95 }]],
    ['an international domain written in punycode in the link', { link: 'https://xn--caf-dma.fr/menu' }, [{ accountId: 14, matchType: 'domain', confidence: 0.95 }]],
    ['co.uk: another company is not Initech', { link: 'https://www.bbc.co.uk/news' }, []],
    ['a contact\'s e-mail', { author: 'jane.doe@acme.com (Jane Doe)' }, [{ accountId: 1, matchType: 'email', confidence: 1 }]],
    ['an e-mail at the account\'s domain', { authorEmail: 'press@acme.com' }, [{ accountId: 1, matchType: 'email', confidence: 0.9 }]],
    ['a free mail address never matches a domain', { authorEmail: 'someone@gmail.com' }, []],
    ['a contact at a free mail address still matches as that contact', { authorEmail: 'priya.nair77@gmail.com' }, [{ accountId: 3, matchType: 'email', confidence: 1 }]],
    ['a contact\'s handle', { author: '@JaneDoe' }, [{ accountId: 1, matchType: 'handle', confidence: 0.9 }]],
    ['a fediverse handle', { author: '@priya@mastodon.social' }, [{ accountId: 3, matchType: 'handle', confidence: 0.9 }]],
    ['a fediverse post by a contact, from its link', { author: 'Priya', link: 'https://mastodon.social/@priya/113456789' }, [{ accountId: 3, matchType: 'handle', confidence: 0.9 }]],
    ['the account\'s own handle', { author: 'acmecorp' }, [{ accountId: 1, matchType: 'handle', confidence: 0.9 }]],
    ['a one-word name, capitalised', { title: 'ACME recalls the Glide' }, [{ accountId: 1, matchType: 'name', confidence: 0.6 }]],
    ['a name as part of a longer word is no match', { title: 'Acmeville fair opens' }, []],
    ['"apple" the fruit is not Apple', { title: 'Bake the apple crumble low and slow', summary: 'An apple a day.' }, []],
    ['"Apple" at the start of a title-cased recipe is not Apple', { title: 'Apple Crumble, the Easy Way', summary: 'Apple season is here. Peel four apples.' }, []],
    ['Apple the company, capitalised inside a sentence', { title: 'Apple unveils a phone', summary: 'Shares of Apple rose 3%.' }, [{ accountId: 4, matchType: 'name', confidence: 0.6 }]],
    // a title-cased headline capitalises every word: there "Apple" and "Target" are no evidence (they matched)
    ['"Apple" inside a title-cased recipe is not Apple', { title: 'The Best Apple Crumble Recipe for Fall' }, []],
    ['"Target" inside a title-cased sports headline is not Target', { title: 'How to Hit the Target Every Time' }, []],
    ['a headline in capitals is title-cased too', { title: 'WHY THIS APPLE PIE WINS EVERY TIME' }, []],
    ['Target the company, capitalised inside a sentence', { title: 'Shares of Target fell after the earnings call' }, [{ accountId: 8, matchType: 'name', confidence: 0.6 }]],
    // scripts without capitals, and text without spaces between words (none of these matched)
    ['a one-word Arabic name (no capitals to show)', { title: 'أرامكو تعلن عن أرباح قياسية' }, [{ accountId: 9, matchType: 'name', confidence: 0.6 }]],
    ['a Chinese alias inside a sentence without spaces', { title: '华为发布新手机' }, [{ accountId: 10, matchType: 'alias', confidence: 0.7 }]],
    ['a Chinese name without its legal form', { summary: '据报道，华为技术今天宣布' }, [{ accountId: 10, matchType: 'name', confidence: 0.8 }]],
    ['a Japanese name without 株式会社, a particle joined to it', { title: 'ソニーが新型カメラを発表' }, [{ accountId: 11, matchType: 'name', confidence: 0.8 }]],
    ['a Korean alias with its particle; 삼성전자 is 삼성\'s too', { title: '삼성전자가 신제품을 출시했다' }, [
      { accountId: 12, matchType: 'alias', confidence: 0.7 },
      { accountId: 19, matchType: 'name', confidence: 0.8 },
    ]],
    ['a Korean name without 주식회사 (a word of its own); LG전자 is LG\'s too', { title: 'LG전자가 신제품을 출시했다' }, [
      { accountId: 13, matchType: 'name', confidence: 0.8 },
      { accountId: 16, matchType: 'name', confidence: 0.6 },
    ]],
    // a short Latin name in capitals with Korean joined to it is a name (too short alone, it never matched)
    ['"LG" with a particle joined to it', { title: 'LG는 오늘 새 TV를 발표했다', summary: 'LG가 밝혔다' }, [{ accountId: 16, matchType: 'name', confidence: 0.6 }]],
    ['"LG" alone is still too short, in English or Korean text', { title: 'LG unveils a TV', summary: '새 TV: LG 제품, lg는' }, []],
    // a Korean name starts a word: not inside one (대한화학, Daehan Chemical, matched 한화)
    ['a Korean name inside another word is not the account', { title: '대한화학 공장 증설' }, []],
    ['a Korean name with its particle', { title: '한화의 발표' }, [{ accountId: 17, matchType: 'name', confidence: 0.8 }]],
    ['a name that is no everyday word may start a sentence', { title: 'Hooli unveils a phone' }, [{ accountId: 7, matchType: 'name', confidence: 0.6 }]],
    ['a several-word name, accents aside', { summary: 'a review of Cafe Societe in Paris' }, [{ accountId: 5, matchType: 'name', confidence: 0.8 }]],
    // a name of several words written in lower case is a phrase, not the name, however the CRM writes it (they matched)
    ['a lower-case name of several words in a sentence is not the account', { title: 'This laptop is the best buy of the year', summary: 'Why it is the best buy for students.' }, []],
    ['nor at a sentence\'s start, where the capital says nothing', { title: 'Best buy of the year: this laptop' }, []],
    ['nor a several-word name written in lower case, accents aside', { summary: 'a review of cafe societe in Paris' }, []],
    ['a several-word name capitalised inside a sentence', { title: 'Shares of Best Buy fell', summary: 'best Buy stores' }, [{ accountId: 15, matchType: 'name', confidence: 0.8 }]],
    ['a several-word name heading a sentence, a capital after the first word', { title: 'Best Buy cuts prices' }, [{ accountId: 15, matchType: 'name', confidence: 0.8 }]],
    // a title-cased headline capitalises every word: a name of everyday words is no evidence there (it matched)
    ['a name of everyday words in a title-cased headline is not the account', { title: 'The Best Buy of the Year', summary: 'THE BEST BUY OF THE YEAR' }, []],
    ['a name of everyday words in a sentence still is', { title: 'Best Buy shares fell', summary: 'Why Best Buy is closing stores' }, [{ accountId: 15, matchType: 'name', confidence: 0.8 }]],
    // a Korean name that is an everyday word, or part of a place's name (they matched)
    ['현대 "modern" on its own, or joined into another word, is not Hyundai', { title: '현대 미술의 흐름', summary: '현대인의 삶과 현대화, 현대적인 디자인' }, []],
    ['현대 with a business joined to it is Hyundai (현대차: Hyundai Motor, Hyundai\'s)', { title: '현대차가 신차를 발표했다', summary: '현대건설 수주' }, [{ accountId: 18, matchType: 'name', confidence: 0.8 }]],
    ['a district or a station named 삼성 is not Samsung', { title: '삼성동 아파트값 상승', summary: '삼성역에서 만나요. 삼성로 공사' }, []],
    ['삼성 with its particle is Samsung', { title: '삼성이 밝혔다' }, [{ accountId: 19, matchType: 'name', confidence: 0.8 }]],
    ['a Korean name whose last syllable goes on in the text is not the account (기압: pressure, not 기아)', { title: '기압이 낮아 비가 온다' }, []],
    ['기아 with its particle is Kia', { title: '기아가 전기차를 공개했다' }, [{ accountId: 21, matchType: 'name', confidence: 0.8 }]],
    // "HP가" (a particle) and "HP가격" (HP's prices: a compound, as LG전자) both name HP
    ['"HP" with a particle, or with a noun joined, is HP', { title: 'HP가 새 노트북을 냈다', summary: 'HP가격 비교' }, [{ accountId: 20, matchType: 'name', confidence: 0.6 }]],
    ['an alias', { title: 'CS Paris opens a second shop' }, [{ accountId: 5, matchType: 'alias', confidence: 0.7 }]],
    ['the strongest evidence wins, accounts in id order', { title: 'Hooli and Acme team up', link: 'https://acme.com/x' }, [
      { accountId: 1, matchType: 'domain', confidence: 0.95 },
      { accountId: 7, matchType: 'name', confidence: 0.6 },
    ]],
  ])('%s', (_what, over, want) => {
    expect(m.match(item(over))).toEqual(want);
  });

  it('a CJK name of two characters is a name; one character is too short', () => {
    const notes = reviewNotes([account(1, '华为'), account(2, '京'), account(3, 'ソニー')]);
    expect([...notes]).toEqual([[2, ['"京": shorter than 4 letters']]]);
  });

  it('flags a company named by an everyday word for review', () => {
    expect(reviewNotes(accounts).get(4)).toEqual(['"Apple Inc.": an everyday word: matched only capitalised inside a sentence']);
  });

  it('flags names of everyday words, in English or Korean, for review', () => {
    const notes = reviewNotes(accounts);
    expect(notes.get(15)).toEqual(['"best buy": everyday words: matched only capitalised, never in a title-cased headline']);
    expect(notes.get(18)).toEqual(['"현대": an everyday word in Korean: matched only with its business joined to it (현대차, 현대건설, 현대은행)']);
  });

  it('the fingerprint depends on the accounts, not on their order', () => {
    expect(compileAccounts([...accounts].reverse()).fingerprint).toBe(m.fingerprint);
    expect(compileAccounts(accounts.slice(1)).fingerprint).not.toBe(m.fingerprint);
  });
});
