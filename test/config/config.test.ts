import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { redisClusterSeeds } from '../../src/config-values.ts';

describe('configuration from the environment', () => {
  it('uses the documented defaults and the embedded Maildir without IMAP_URL', () => {
    const c = loadConfig({});
    expect(c.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      cluster: false,
      prefix: 'claim-intake',
    });
    expect(c.databaseUrl).toBe('postgres://localhost/claim_intake');
    expect(c.intake.processedFolder).toBe('Processed');
    expect(c.intake.quarantineFolder).toBe('Quarantine');
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.httpPort).toBe(8080);
    expect(c.reply.limits).toEqual({ perSender: 5, perDomain: 50, perHour: 20_000 });
    expect(c.reply.mailFrom).toBe('claims@claim-intake.local');
    expect(c.intake.maxMessageBytes).toBe(25 * 2 ** 20);
    expect(c.mailboxes).toHaveLength(1);
    expect(c.mailboxes[0]).toMatchObject({ kind: 'maildir' });
    expect(c.mailboxes[0]!.name).toMatch(/^maildir:\/.*var\/mailbox$/);
  });

  it('reads several IMAP mailboxes and names each without its password', () => {
    const c = loadConfig({
      IMAP_URL:
        'imap://claims:s3cret@mail.example:1143/INBOX, imaps://desk%40x:pw@mail.example/Claims',
    });
    expect(c.mailboxes).toEqual([
      expect.objectContaining({
        kind: 'imap',
        host: 'mail.example',
        port: 1143,
        user: 'claims',
        password: 's3cret',
        folder: 'INBOX',
        secure: false,
      }),
      expect.objectContaining({
        kind: 'imap',
        port: 993,
        user: 'desk@x',
        folder: 'Claims',
        secure: true,
      }),
    ]);
    for (const m of c.mailboxes) expect(m.name).not.toContain('pw');
    expect(c.mailboxes[0]!.name).toBe('imap://claims@mail.example:1143/INBOX');
  });

  it('keeps raw messages 365 days and runs housekeeping hourly unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ retentionDays: 365, housekeepingIntervalMs: 3_600_000 });
    const c = loadConfig({ RETENTION_DAYS: '30', HOUSEKEEPING_INTERVAL_MS: '600000' });
    expect(c).toMatchObject({ retentionDays: 30, housekeepingIntervalMs: 600_000 });
    // 0 means "never purge", not "purge at once".
    expect(loadConfig({ RETENTION_DAYS: '0' }).retentionDays).toBe(0);
  });

  it('holds a job for 30 s without renewal unless JOB_LOCK_MS says otherwise', () => {
    expect(loadConfig({}).jobLockMs).toBe(30_000);
    expect(loadConfig({ JOB_LOCK_MS: '5000' }).jobLockMs).toBe(5000);
  });

  it('connects to an IPv6 IMAP host without the brackets the URL needs', () => {
    const [mailbox] = loadConfig({ IMAP_URL: 'imaps://claims:pw@[fd00::2]:1993/INBOX' }).mailboxes;
    expect(mailbox).toMatchObject({ host: 'fd00::2', port: 1993, secure: true });
    expect(mailbox?.name).toBe('imaps://claims@[fd00::2]:1993/INBOX');
  });

  it('marks the session cookie Secure unless COOKIE_SECURE=false', () => {
    expect(loadConfig({}).cookieSecure).toBe(true);
    expect(loadConfig({ COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    expect(loadConfig({ COOKIE_SECURE: 'TRUE' }).cookieSecure).toBe(true);
  });

  it('requires STARTTLS off loopback unless ALLOW_PLAINTEXT_MAIL=true, for IMAP and SMTP alike', () => {
    const imap = { IMAP_URL: 'imap://claims:pw@mail.example/INBOX' };
    expect(loadConfig(imap).allowPlaintextMail).toBe(false);
    expect(loadConfig(imap).mailboxes[0]).toMatchObject({ allowPlaintext: false });
    const allowed = loadConfig({ ...imap, ALLOW_PLAINTEXT_MAIL: 'TRUE' });
    expect(allowed.allowPlaintextMail).toBe(true);
    expect(allowed.mailboxes[0]).toMatchObject({ allowPlaintext: true });
    expect(loadConfig({ ALLOW_PLAINTEXT_MAIL: 'false' }).allowPlaintextMail).toBe(false);
  });

  it('serves the probes and metrics on HTTP_PORT unless METRICS_PORT gives them their own', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: undefined, metricsHost: '127.0.0.1' });
    expect(loadConfig({ HTTP_HOST: '0.0.0.0', METRICS_PORT: '9464' })).toMatchObject({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
    });
    expect(loadConfig({ METRICS_PORT: '8080', METRICS_HOST: '10.0.0.5' })).toMatchObject({
      metricsPort: 8080,
      metricsHost: '10.0.0.5',
    });
    // 0 asks for any free port, as HTTP_PORT=0 does; both 0 are two ports.
    expect(loadConfig({ HTTP_PORT: '0', METRICS_PORT: '0' }).metricsPort).toBe(0);
  });

  it('trusts no proxy by default; TRUST_PROXY takes addresses, CIDRs, range names or hops', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(
      loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,fd00::/8,loopback' }).trustProxy,
    ).toEqual(['10.0.0.1', '192.168.0.0/16', 'fd00::/8', 'loopback']);
  });

  it('talks to one Redis server unless REDIS_CLUSTER=true makes REDIS_URL a list of seed nodes', () => {
    expect(loadConfig({}).redis.cluster).toBe(false);
    const c = loadConfig({
      REDIS_CLUSTER: 'true',
      REDIS_URL: 'redis://u:pw@10.0.0.1:7000, redis://u:pw@10.0.0.2:7001,redis://u:pw@[fd00::3]',
    });
    expect(c.redis.cluster).toBe(true);
    expect(redisClusterSeeds(c.redis.url)).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'fd00::3', port: 6379 },
      ],
      username: 'u',
      password: 'pw',
      tls: false,
    });
    expect(redisClusterSeeds('rediss://h:7000').tls).toBe(true);
  });

  it('takes MAIL_FROM as a bare address or as a mailbox with a display name (issue #14)', () => {
    expect(loadConfig({ MAIL_FROM: 'claims@example.com' }).reply.mailFrom).toBe(
      'claims@example.com',
    );
    const named = {
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'Claims Desk <claims@example.com>',
    };
    expect(loadConfig(named).reply.mailFrom).toBe('Claims Desk <claims@example.com>');
    expect(loadConfig({ MAIL_FROM: '"Claims, Desk" <claims@example.com>' }).reply.mailFrom).toBe(
      '"Claims, Desk" <claims@example.com>',
    );
  });

  it('is frozen', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it.each([
    [{ IMAP_URL: 'pop3://x@y' }, 'IMAP_URL'],
    [{ IMAP_URL: 'imap://host-only' }, 'IMAP_URL'],
    [{ IMAP_URL: 'imap://a@h/INBOX,imap://a@h/INBOX' }, 'IMAP_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://a:7000,redis://b:7000' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'yes' }, 'REDIS_CLUSTER'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000,http://b:7000' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000,not a url' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://u:p@a:7000,redis://u:q@b:7000' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000,rediss://b:7000' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000/2' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: ' , ' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ SMTP_URL: 'imap://x' }, 'SMTP_URL'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT'],
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REPLY_LIMIT_PER_SENDER: '-1' }, 'REPLY_LIMIT_PER_SENDER'],
    [{ REPLY_LIMIT_PER_DOMAIN: '-1' }, 'REPLY_LIMIT_PER_DOMAIN'],
    [{ REPLY_LIMIT_PER_DOMAIN: 'fifty' }, 'REPLY_LIMIT_PER_DOMAIN'],
    [{ REPLY_LIMIT_PER_HOUR: '1.5' }, 'REPLY_LIMIT_PER_HOUR'],
    [{ MAIL_FROM: 'not-an-address' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Claims Desk <>' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@example.com, b@example.com' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Claims <a@example.com> b@example.com' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Claims Desk <claims@example.com' }, 'MAIL_FROM'],
    [{ MAIL_FROM: '<<<>>> @@' }, 'MAIL_FROM'],
    [{ IMAP_PROCESSED_FOLDER: 'a\nb' }, 'IMAP_PROCESSED_FOLDER'],
    [{ POLLER_LOCK_TTL_MS: '10' }, 'POLLER_LOCK_TTL_MS'],
    [{ COOKIE_SECURE: 'no' }, 'COOKIE_SECURE'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: ',' }, 'TRUST_PROXY'],
    [{ RETENTION_DAYS: '-1' }, 'RETENTION_DAYS'],
    [{ RETENTION_DAYS: '1.5' }, 'RETENTION_DAYS'],
    [{ RETENTION_DAYS: 'a year' }, 'RETENTION_DAYS'],
    [{ HOUSEKEEPING_INTERVAL_MS: '999' }, 'HOUSEKEEPING_INTERVAL_MS'],
    [{ JOB_LOCK_MS: '500' }, 'JOB_LOCK_MS'],
    [{ JOB_LOCK_MS: '30s' }, 'JOB_LOCK_MS'],
    [{ ALLOW_PLAINTEXT_MAIL: 'yes' }, 'ALLOW_PLAINTEXT_MAIL'],
    [{ ALLOW_PLAINTEXT_MAIL: '1' }, 'ALLOW_PLAINTEXT_MAIL'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
    [{ METRICS_PORT: 'metrics' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '8080' }, 'METRICS_PORT'],
    [{ HTTP_PORT: '9000', METRICS_PORT: '9000' }, 'METRICS_PORT'],
  ])('stops on %j with one line naming %s', (env, setting) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe(setting);
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect((error as Error).message.startsWith(`${setting}: `)).toBe(true);
    }
  });

  it('never puts a Redis password in an error message', () => {
    expect(() =>
      loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://u:topsecret@a:7000,:topsecret@b' }),
    ).toThrow(/^(?!.*topsecret)/);
  });

  it('never puts an IMAP password in an error message', () => {
    expect(() =>
      loadConfig({ IMAP_URL: 'imap://u:topsecret@h/INBOX,imap://u:topsecret@h/INBOX' }),
    ).toThrow(/^(?!.*topsecret)/);
  });
});
