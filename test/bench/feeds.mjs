// Synthetic, deterministic news-search feeds for the benchmark (RSS 2.0, Google-News-like).
//
// Every feed is generated from its own seeded PRNG, so feed i is the same bytes whatever else is
// generated and in whatever order: the server (a child process) and the runner (which only needs the
// plan: topics, which feed goes where, how many items) agree without passing feeds around.
//
// Realism that makes the CLI do real work: titles and HTML descriptions of a few hundred bytes with
// entities, CDATA, a little non-ASCII; a <source> publisher per item; RFC 822 dates spread over the
// 14 days before CLOCK; topic keywords (in the feed's own topic mostly, sometimes another's); AFINN
// sentiment words in about half of the items; and two planted moments so detection has something to
// find: a volume burst for the first topic and a negative swing for the last one, in the last day.

/** The benchmark's fixed "now": pubDates are spread over the 14 days before it. */
export const CLOCK = Date.parse('2026-11-20T12:00:00Z');
export const CLOCK_ISO = new Date(CLOCK).toISOString().replace('.000Z', 'Z');

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** ~10 topics, 1–3 keywords each; the first one carries a planted spike, the last a negative swing. */
export const TOPICS = [
  { name: 'Acme Robotics', keywords: ['acme', 'acme robotics'], mention: ['Acme Robotics', 'Acme'] },
  { name: 'Globex', keywords: ['globex'], mention: ['Globex', 'Globex Corp'] },
  { name: 'Initech', keywords: ['initech', 'initrode'], mention: ['Initech', 'Initrode'] },
  { name: 'Umbrella', keywords: ['umbrella corp', 'umbrella corporation'], exclude: ['umbrella stand'], mention: ['Umbrella Corp', 'Umbrella Corporation'] },
  { name: 'Hooli', keywords: ['hooli', 'hooli xyz', 'nucleus'], mention: ['Hooli', 'Hooli XYZ', 'Nucleus'] },
  { name: 'Stark Industries', keywords: ['stark industries'], mention: ['Stark Industries'] },
  { name: 'Wayne Enterprises', keywords: ['wayne enterprises', 'wayne tech'], mention: ['Wayne Enterprises', 'Wayne Tech'] },
  { name: 'Cyberdyne', keywords: ['cyberdyne', 'skynet'], mention: ['Cyberdyne', 'Cyberdyne Systems', 'Skynet'] },
  { name: 'Soylent', keywords: ['soylent'], mention: ['Soylent', 'Soylent Café'] },
  { name: 'Northwind Airlines', keywords: ['northwind', 'northwind airlines'], mention: ['Northwind Airlines', 'Northwind'] },
];
const SPIKE_TOPIC = 0;
const SWING_TOPIC = TOPICS.length - 1;

/**
 * Where feed i is listed: round-robin over the topics plus one "plain feeds" slot, so with 10 topics
 * every 11th feed is a general wire feed under `feeds:`. Returns a topic index, or -1 for plain.
 */
export function feedHome(i) {
  const slot = i % (TOPICS.length + 1);
  return slot === TOPICS.length ? -1 : slot;
}

/** Which of `hosts` hosts serves feed i: round-robin, so each host has about feeds ÷ hosts feeds. */
export function feedHost(i, hosts) {
  return i % hosts;
}

export function feedPath(i) {
  return `/feeds/${String(i).padStart(5, '0')}.xml`;
}

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: small, fast, good enough for test data. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rngFor(feedIndex, seed) {
  // Spread neighbouring indexes apart before seeding.
  return mulberry32(Math.imul(feedIndex + 1, 0x9e3779b1) ^ seed);
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

// ---------------------------------------------------------------------------------------------
// Vocabulary

const PUBLISHERS = [
  'Daily Ledger', 'The Morning Wire', 'Metro Business Journal', 'Tech Chronicle', 'Harbor Times',
  'Global Markets Today', 'The Industry Post', 'Coastal Herald', 'Valley Tribune', 'Northern Gazette',
  'Capital Observer', 'Signal & Noise', 'The Quarterly Review', 'Riverside News', 'Summit Report',
  'Evening Standard Digest', 'Frontier Tech News', 'Pacific Insider', 'The Analyst Desk', 'Midwest Monitor',
  'Prairie Dispatch', 'Urban Review', 'Consumer Watch', 'The Supply Chain Brief', 'Aviation Weekly Online',
  'Robotics Today', 'FinTech Pulse', 'Green Energy Journal', 'Retail Dive-In', 'The Local Courier',
  'Bay Area Bulletin', 'Lakeside Record', 'Mountain Post', 'The Startup Sheet', 'Policy Wire',
  'Health & Science Daily', 'The Commuter', 'Island Telegraph', 'Crossroads Press', 'Le Journal Économique',
].map((name) => ({
  name,
  domain: `${name.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '')}.example`,
}));

const POSITIVE = [
  'wins praise for', 'reports strong growth in', 'celebrates record', 'earns top award for',
  'delivers impressive', 'boosts confidence in', 'unveils innovative', 'gains support for',
  'sees great demand for', 'scores big win with',
];
const NEGATIVE = [
  'faces lawsuit over', 'hit by outage affecting', 'slammed for poor', 'warns of losses in',
  'recalls faulty', 'under fire for', 'cuts jobs amid weak', 'struggles with delays in',
  'apologizes after failed', 'accused of fraud in',
];
const NEUTRAL = [
  'announces', 'updates', 'outlines plans for', 'releases details of', 'schedules briefing on',
  'opens office for', 'names new head of', 'publishes report on', 'confirms timeline for', 'reorganizes',
];
const OBJECTS = [
  'warehouse robots', 'quarterly results', 'cloud platform', 'supply chain', 'customer service',
  'battery technology', 'new headquarters', 'mobile app', 'data centers', 'pricing changes',
  'safety review', 'R&D budget', 'holiday schedule', 'flight operations', 'loyalty program',
  'AI assistant', 'factory in Ohio', 'European expansion', 'board changes', 'sustainability goals',
];
const SUFFIXES = [
  '', '', '', ' — analysts react', ' in Europe', ' after investor call', ': what we know',
  ' (update)', ' ahead of holiday season', ' as rivals watch', '’s shares move',
];
const POS_SENTENCES = [
  'Customers said they were happy with the results and analysts called it a great step.',
  'The <b>successful</b> rollout impressed investors, who praised the clear strategy.',
  'Executives were excited about the strong start and expect further improvement.',
  'Reviewers described the product as brilliant, reliable and easy to love.',
];
const NEG_SENTENCES = [
  'Customers were angry about the delays and several complained of poor support.',
  'The <b>failure</b> left thousands stranded, and critics called the response a disaster.',
  'Regulators warned of serious problems and a lawsuit is expected to follow.',
  'Analysts said the loss was worse than feared and the outlook remains bleak.',
];
const LEADS = ['said on Monday that', 'told reporters that', 'confirmed that', 'announced that', 'noted that'];
const NEU_SENTENCES = [
  'The company said the changes would take effect next quarter.',
  'A spokesperson confirmed the plans in a statement on Tuesday.',
  'Further details are expected at the annual meeting in the spring.',
  'The announcement follows a review that began earlier this year.',
  'Officials declined to comment on the timing of the next phase.',
  'The figures were published alongside the firm’s regular filing.',
];

// ---------------------------------------------------------------------------------------------
// Rendering

const XML_ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s) => s.replace(/[&<>"]/g, (c) => XML_ESC[c]);

function slugify(s) {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

/** The tone of one item: planted negative swing for the last topic in the last day. */
function toneFor(rand, topic, ageMs) {
  if (topic === SWING_TOPIC && ageMs < DAY) return rand() < 0.8 ? 'neg' : 'neu';
  const r = rand();
  return r < 0.28 ? 'pos' : r < 0.5 ? 'neg' : 'neu';
}

/** Age of an item before CLOCK: uniform over 14 days, with a burst in the last 12 h for the spike topic. */
function ageFor(rand, home) {
  if (home === SPIKE_TOPIC && rand() < 0.25) return Math.floor(rand() * 12 * HOUR);
  return Math.floor(rand() * 14 * DAY);
}

function item(rand, feedIndex, itemIndex, home) {
  const ageMs = ageFor(rand, home);
  // A topic feed's items mostly mention its topic; a wire feed's items sometimes mention any topic.
  const topic = home >= 0 ? (rand() < 0.9 ? home : Math.floor(rand() * TOPICS.length)) : rand() < 0.35 ? Math.floor(rand() * TOPICS.length) : -1;
  const tone = toneFor(rand, topic, ageMs);
  const subject = topic >= 0 ? pick(rand, TOPICS[topic].mention) : pick(rand, ['Regional retailer', 'Local startup', 'City council', 'Industry group', 'Parent company']);
  const verb = pick(rand, tone === 'pos' ? POSITIVE : tone === 'neg' ? NEGATIVE : NEUTRAL);
  const title = `${subject} ${verb} ${pick(rand, OBJECTS)}${pick(rand, SUFFIXES)}`;
  const pub = pick(rand, PUBLISHERS);
  const link = `https://${pub.domain}/news/2026/${slugify(title)}-${feedIndex}-${itemIndex}?utm_source=rss&ref=bench`;

  // Description: 2–4 sentences of HTML, sometimes naming a second topic (cross-topic matching).
  const sentences = tone === 'pos' ? POS_SENTENCES : tone === 'neg' ? NEG_SENTENCES : NEU_SENTENCES;
  const lead = pick(rand, NEU_SENTENCES);
  const parts = [`<p>${subject} ${pick(rand, LEADS)} ${lead.charAt(0).toLowerCase()}${lead.slice(1)}</p>`];
  const n = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < n; k++) parts.push(`<p>${pick(rand, rand() < 0.6 ? sentences : NEU_SENTENCES)}</p>`);
  if (rand() < 0.1) parts.push(`<p>Also in the news: ${pick(rand, TOPICS[Math.floor(rand() * TOPICS.length)].mention)}.</p>`);
  parts.push(`<a href="${esc(link)}" target="_blank">Read more</a>&nbsp;&nbsp;<font color="#6f6f6f">${esc(pub.name)}</font>`);
  const html = parts.join('');
  // Half the feeds wrap descriptions in CDATA, the other half entity-escape them (both are common).
  const description = feedIndex % 2 === 0 ? `<![CDATA[${html}]]>` : esc(html);

  const when = new Date(CLOCK - ageMs);
  const guid = itemIndex % 3 === 0 ? `<guid isPermaLink="true">${esc(link)}</guid>` : `<guid isPermaLink="false">bench-${feedIndex}-${itemIndex}</guid>`;
  return (
    `<item><title>${esc(title)}</title><link>${esc(link)}</link>${guid}` +
    `<pubDate>${when.toUTCString()}</pubDate><description>${description}</description>` +
    `<source url="https://${pub.domain}">${esc(pub.name)}</source></item>\n`
  );
}

/** The RSS 2.0 document of feed `feedIndex` with `items` items (a UTF-8 string). */
export function renderFeed(feedIndex, items, seed = 0x5eed) {
  const rand = rngFor(feedIndex, seed);
  const home = feedHome(feedIndex);
  const query = home >= 0 ? `"${TOPICS[home].keywords[0]}"` : `business wire ${feedIndex}`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n',
    `<title>${esc(query)} - Bench News</title>\n`,
    `<link>https://news.bench.example/search?q=${encodeURIComponent(query)}</link>\n`,
    `<language>en-US</language>\n<webMaster>news-webmaster@bench.example</webMaster>\n`,
    `<copyright>2026 Bench News</copyright>\n<lastBuildDate>${new Date(CLOCK).toUTCString()}</lastBuildDate>\n`,
    `<description>Bench News search results for ${esc(query)}</description>\n`,
  ];
  for (let j = 0; j < items; j++) out.push(item(rand, feedIndex, j, home));
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

/**
 * The momentscan config (YAML) listing every feed once: topic feeds round-robin, the rest plain; feed i
 * at baseUrls[feedHost(i)]. `fetch` is written as given, key by key (the manners: concurrency, perHost,
 * hostDelay, interval, retries, timeout), so the benchmark never depends on the product's defaults.
 */
/**
 * Extra topics for the matching load (100 topics × 5 keywords in the default bench): made-up brand names
 * and product words, the way a real config names companies; a few of their words occur in the feeds.
 */
function extraTopic(i) {
  const words = ['robotics', 'airlines', 'payments', 'cloud', 'energy', 'foods', 'motors', 'health', 'labs', 'bank'];
  const brand = `brand${i}`;
  return {
    name: `Brand ${i}`,
    keywords: [brand, `${brand} ${words[i % words.length]}`, `${brand}corp`, `"${brand} group"`.replace(/"/g, ''), `${words[(i * 7) % words.length]} ${brand}`],
  };
}

export function configYaml(baseUrls, feeds, fetch, extraTopics = 0) {
  const q = (s) => JSON.stringify(s); // JSON strings are valid YAML scalars
  const url = (i) => `${baseUrls[feedHost(i, baseUrls.length)]}${feedPath(i)}`;
  const lines = [
    '# momentscan benchmark config (generated by test/bench/run.mjs)',
    'defaults:',
    '  bucket: 6h',
    '  baseline: 14d',
    'fetch:',
    ...Object.entries(fetch).map(([k, v]) => `  ${k}: ${v}`),
    'topics:',
  ];
  for (let t = 0; t < TOPICS.length; t++) {
    const topic = TOPICS[t];
    lines.push(`  - name: ${q(topic.name)}`, `    keywords: [${topic.keywords.map(q).join(', ')}]`);
    if (topic.exclude) lines.push(`    exclude: [${topic.exclude.map(q).join(', ')}]`);
    const urls = [];
    for (let i = 0; i < feeds; i++) if (feedHome(i) === t) urls.push(`      - ${url(i)}`);
    lines.push(urls.length > 0 ? '    feeds:' : '    feeds: []', ...urls);
  }
  for (let e = 0; e < extraTopics; e++) {
    const topic = extraTopic(e);
    lines.push(`  - name: ${q(topic.name)}`, `    keywords: [${topic.keywords.map(q).join(', ')}]`);
  }
  const plain = [];
  for (let i = 0; i < feeds; i++) if (feedHome(i) === -1) plain.push(`  - ${url(i)}`);
  lines.push(plain.length > 0 ? 'feeds:' : 'feeds: []', ...plain);
  return `${lines.join('\n')}\n`;
}
