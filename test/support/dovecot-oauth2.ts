/**
 * A private Dovecot (support/dovecot.ts) that also signs users in with OAuth2 bearer tokens,
 * validated locally: an `oauth2` passdb with `introspection_mode = local` checks each token as
 * an HS256 JWT (signature, `exp`, `iss`) with a key read from a dict, and takes the user from
 * its `email` claim. Nothing is asked of any token server, so the test's own endpoint only
 * issues tokens and Dovecot alone decides whether they are good.
 *
 * Dovecot 2.3 looks the key up as `shared/<azp or "default">/<alg>/<kid or "default">` in
 * `local_validation_key_dict`; with `fs:posix:prefix=DIR/` that is the file
 * DIR/default/HS256/<kid> (no `azp` claim), holding the key base64-encoded.
 *
 * The password passdb of support/dovecot.ts stays first (the harness signs in with it); for
 * XOAUTH2 it is tried too and finds the token is not the password, then the oauth2 one decides.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DovecotServer, startDovecot } from './dovecot.ts';
import { signHs256 } from './jwt.ts';

/** The SASL mechanisms offered for tokens: imapflow prefers OAUTHBEARER when it is there. */
export type TokenMechanism = 'xoauth2' | 'oauthbearer';

export interface OAuth2Dovecot {
  server: DovecotServer;
  /** The `iss` Dovecot accepts. */
  issuer: string;
  /** A token Dovecot accepts for `user` (default: the mailbox user) for `lifetimeS` seconds. */
  sign(options?: { user?: string; lifetimeS?: number; key?: Buffer; issuer?: string }): string;
  stop(): Promise<void>;
}

const KID = 'claim-intake-test';

export async function startOAuth2Dovecot(
  options: { mechanism?: TokenMechanism; user?: string } = {},
): Promise<OAuth2Dovecot> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'dovecot-oauth2-'));
  const key = randomBytes(32);
  const issuer = 'https://login.claim-intake.test/';
  const keyDir = join(dir, 'keys', 'default', 'HS256');
  fs.mkdirSync(keyDir, { recursive: true });
  fs.writeFileSync(join(keyDir, KID), key.toString('base64'));
  const oauth2Config = join(dir, 'dovecot-oauth2.conf.ext');
  fs.writeFileSync(
    oauth2Config,
    [
      'introspection_mode = local',
      `local_validation_key_dict = fs:posix:prefix=${dir}/keys/`,
      'username_attribute = email',
      `issuers = ${issuer}`,
      '',
    ].join('\n'),
  );
  // Dovecot's auth process runs as the `dovecot` user: the files must be readable by it.
  for (const path of [dir, join(dir, 'keys'), join(dir, 'keys', 'default'), keyDir])
    fs.chmodSync(path, 0o755);
  let server: DovecotServer;
  try {
    server = await startDovecot({
      user: options.user ?? 'claims@example.test',
      // auth_verbose: a refused token's reason is in the log (logTail) for the tests to read.
      // No delay after a failure and no growing per-IP penalty (2, 4, 8… s): the tests refuse
      // several tokens from 127.0.0.1 on purpose.
      extraConfig: `auth_mechanisms = plain login ${options.mechanism ?? 'xoauth2'}
auth_verbose = yes
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauth2Config}
}
`,
    });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    server,
    issuer,
    sign({
      user = server.user,
      lifetimeS = 3600,
      key: signingKey = key,
      issuer: iss = issuer,
    } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signHs256(
        { iss, sub: 'claim-intake-app', email: user, iat: now, exp: now + lifetimeS },
        signingKey,
        KID,
      );
    },
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
