/**
 * TRUST_PROXY names the proxies whose X-Forwarded-For gives the client's address (the key of
 * the per-IP sign-in limit). A range that holds every address, or most of the Internet, would
 * let any client pick its own address and dodge the limit: start-up refuses it in one line.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function refusal(value: string): ConfigError {
  try {
    loadConfig({ TRUST_PROXY: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`TRUST_PROXY=${value} was accepted`);
}

describe('TRUST_PROXY refuses ranges that trust everyone', () => {
  it.each([
    '0.0.0.0/0',
    '::/0',
    '10.0.0.1, 0.0.0.0/0',
    '0.0.0.0/1',
    '128.0.0.0/1',
    '64.0.0.0/7',
    '::/1',
    '2000::/3',
    // Every IPv4 peer, written as IPv4-mapped IPv6 (proxy-addr compares IPv4 peers with it).
    '::ffff:0.0.0.0/96',
    '::ffff:0:0/96',
    '::ffff:0.0.0.0/100',
    // An IPv6 range that holds the whole IPv4-mapped block trusts every IPv4 peer too.
    '::/80',
    '::/8',
  ])('refuses %s with one line naming TRUST_PROXY', (value) => {
    const error = refusal(value);
    expect(error.setting).toBe('TRUST_PROXY');
    expect(error.message).toMatch(/^TRUST_PROXY: /);
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/too broad/);
  });

  it('accepts private networks, single addresses and narrow ranges as before', () => {
    const value =
      '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, fd00::/8, fe80::/10, 203.0.113.7, 2001:db8::/32, ::ffff:10.1.2.3, ::ffff:10.0.0.0/104, loopback';
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(
      value.split(',').map((e) => e.trim()),
    );
  });

  it('builds a console server from every accepted value (proxy-addr takes them all)', async () => {
    const { buildServer } = await import('../../src/web/server.ts');
    const { createLogger } = await import('../../src/logger.ts');
    const pg = await import('pg');
    const pool = new pg.default.Pool({ max: 1 });
    try {
      for (const value of ['10.0.0.0/8', 'fc00::/7', '::ffff:10.0.0.0/104', '203.0.113.7']) {
        const app = buildServer({
          pool,
          logger: createLogger('silent'),
          trustProxy: loadConfig({ TRUST_PROXY: value }).trustProxy,
        });
        await app.ready();
        await app.close();
      }
    } finally {
      await pool.end();
    }
  });
});
