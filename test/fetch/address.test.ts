import { describe, expect, it } from 'vitest';
import { addressKind, redirectProblem } from '../../src/fetch/address.js';

describe('where a redirect may lead', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it.each([
    ['http://93.184.216.34/feed', 'http://169.254.169.254/latest/meta-data/', [], 'refused a redirect to a link-local address (169.254.169.254)'],
    ['http://93.184.216.34/feed', 'http://10.0.0.5/admin', [], 'refused a redirect to a private network address (10.0.0.5)'],
    ['http://93.184.216.34/feed', 'http://localhost:6379/', [], 'refused a redirect to this machine (loopback) (localhost:6379)'],
    ['http://93.184.216.34/feed', 'http://[::1]/', [], 'refused a redirect to this machine (loopback) ([::1])'],
    ['http://127.0.0.1:8080/feed', 'http://127.0.0.1:6379/', [], 'refused a redirect from 127.0.0.1:8080 to another local service (127.0.0.1:6379)'],
    ['http://127.0.0.1:8080/feed', 'http://169.254.169.254/', [], 'refused a redirect to a link-local address (169.254.169.254)'],
    ['http://127.0.0.1:8080/feed', 'http://127.0.0.1:8080/new.rss', [], null],
    ['http://10.0.0.1/feed', 'http://93.184.216.34/feed', [], null],
    ['http://93.184.216.34/feed', 'http://93.184.216.35/feed', [], null],
    ['http://93.184.216.34/feed', 'http://10.0.0.5/feed', ['10.0.0.5'], null],
    ['http://127.0.0.1:8080/feed', 'http://127.0.0.1:9090/feed', ['127.0.0.1:9090'], null],
  ])('%s → %s (allowed: %j): %s', async (from, to, allow, problem) => {
    expect(await redirectProblem(new URL(from), new URL(to), allow)).toBe(problem);
  });
});
