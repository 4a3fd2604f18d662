import { ConfigError } from '../../core/errors.js';
import { checkHttpUrl, describeValue, type SourceDefinition, type SourceEntryError, type UrlView } from './kind.js';

/** A Google Alert delivered as RSS: its feed URL, https://www.google.com/alerts/feeds/<user>/<alert>. */
export const googleAlerts: SourceDefinition<'google-alerts'> = {
  kind: 'google-alerts',
  type: 'news',
  options: { url: checkAlertsUrl },
  shorthand: 'url',
  searches: false,
  missing: (spec) => (spec.url === undefined ? 'expected the feed URL of google-alerts: write { google-alerts: https://www.google.com/alerts/feeds/… }' : null),
  recognizes: isAlertsFeed,
  feedUrl() {
    throw new ConfigError('source google-alerts: a feed URL is required');
  },
};

function checkAlertsUrl(raw: unknown): string | SourceEntryError {
  const url = checkHttpUrl(raw);
  // the whole feed path, /alerts/feeds/<user>/<alert>: a link cut short (…/feeds/<user>) is a 404 on every fetch
  const alerts = typeof url === 'string' && isAlertsFeed(new URL(url)) && /^\/alerts\/feeds\/[^/]+\/[^/]+\/?$/.test(new URL(url).pathname) && url.startsWith('https:');
  if (alerts) return url;
  return {
    error:
      'expected the RSS feed URL of a Google Alert, https://www.google.com/alerts/feeds/<numbers>/<numbers>' +
      ` (in Google Alerts, choose "Deliver to: RSS feed" and copy the feed icon's link), got ${describeValue(raw)}`,
  };
}

function isAlertsFeed(url: UrlView): boolean {
  return /^(?:www\.)?google\.com$/i.test(url.hostname) && /^\/alerts\/feeds\/[^/]+/.test(url.pathname);
}
