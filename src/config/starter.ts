/** The commented starter config that `momentscan init` writes. It must stay valid (a test loads it). */
export const STARTER_CONFIG = `# momentscan configuration
# Docs: see README.md, "Config reference". Durations: 30m, 6h, 14d. Paths are relative to this file.

# database: ~/momentscan.db   # optional; default $XDG_DATA_HOME/momentscan/momentscan.db

defaults:
  bucket: auto          # volume is counted per bucket: auto is 15 minutes for every topic, or say 6h
  baseline: 14d         # each bucket is compared with this trailing window (which excludes it)
  sensitivity: medium   # low (fewer, surer moments) | medium | high (more, earlier moments)

fetch:
  concurrency: 8        # feeds fetched at once
  timeout: 20s          # give up on one try of a feed after this long (retried twice)
  maxBytes: 5MB         # refuse bodies larger than this (after decompression)

# A topic is what you want moments about. An item belongs to a topic when its title or summary
# contains any of the keywords (whole words or phrases, case- and accent-insensitive) and none of
# the exclude words. Items from every feed are matched against every topic.
topics:
  - name: Acme
    keywords: [acme, "acme robotics"]
    exclude: [acme markets]
    feeds:
      # Google News search as RSS (hl/gl/ceid choose language and country)
      - https://news.google.com/rss/search?q=%22acme+robotics%22&hl=en-US&gl=US&ceid=US:en
      # Reddit search as Atom
      - https://www.reddit.com/search.rss?q=%22acme+robotics%22&sort=new
      # Hacker News search as RSS
      - https://hnrss.org/newest?q=acme+robotics

  - name: Competitor
    keywords: [globex]
    feeds:
      - https://news.google.com/rss/search?q=globex&hl=en-US&gl=US&ceid=US:en
    # bucket: 1d          # a per-topic bucket size for quiet topics

# Feeds not tied to one topic (trade press, your own blog...): their items are matched against every topic.
feeds:
  - https://hnrss.org/frontpage
  # - ./local-feed.xml   # local files work too
`;
