/**
 * The Docker files, checked without a Docker engine (there is none here: nothing is built
 * or run). `docker compose config` validates compose.yml where the compose client exists;
 * everywhere, the files are read and held to what the Operating section promises, the
 * image's health check command is run against a real HTTP server, the shared settings go
 * through loadConfig, and the development Dovecot config through doveconf when installed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { freePort } from '../support/dovecot.ts';
import { parseYamlSubset } from './yaml-subset.ts';

const run = promisify(execFile);
const DOCKER_DIR = join(REPO_ROOT, 'docker');
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  env_file?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas: string };
  volumes?: string[];
  ports?: string[];
  restart?: string;
}

const compose = parseYamlSubset(read('docker/compose.yml')) as unknown as {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, string>;
};
const { services } = compose;
const ROLES = ['poller', 'worker', 'web'] as const;

/** KEY=VALUE lines of an env file (compose's format: no quotes, # comments). */
function envFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function composeClient(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

describe('docker/compose.yml', () => {
  it(
    composeClient()
      ? 'passes docker compose config'
      : 'is read the way compose reads it (no docker compose client here: structure checked below)',
    async () => {
      if (composeClient()) {
        const { stdout } = await run('docker', ['compose', '-f', 'docker/compose.yml', 'config'], {
          cwd: REPO_ROOT,
        });
        expect(stdout).toContain('maxmemory-policy');
      }
      expect(compose.name).toBe('claim-intake');
      expect(Object.keys(services).sort()).toEqual(
        ['dev-mail', 'mailpit', 'migrate', 'poller', 'postgres', 'redis', 'web', 'worker'].sort(),
      );
    },
  );

  it('runs PostgreSQL 15 and Redis 7 with AOF and noeviction, both with health checks', () => {
    expect(services.postgres!.image).toMatch(/^postgres:15(\b|-)/);
    expect(services.postgres!.healthcheck!.test).toContain('pg_isready');
    expect(services.redis!.image).toMatch(/^redis:7(\b|-)/);
    const command = services.redis!.command!.join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(services.redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('runs claim-intake as separate poller, worker and web services from one image', () => {
    for (const role of ROLES) {
      const service = services[role]!;
      expect(service.command).toEqual(['start', '--role', role]);
      expect(service.image).toBe('claim-intake:dev');
      expect(service.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(service.env_file).toEqual(['claim-intake.env']);
      expect(service.restart).toBe('unless-stopped');
    }
    expect(services.worker!.deploy!.replicas).toBe('2');
    expect(services.web!.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(services.migrate!.command).toEqual(['migrate']);
  });

  it('starts the roles after a successful migration and a healthy Redis', () => {
    for (const role of ROLES) {
      expect(services[role]!.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // Every service waited on for health has a health check to wait for.
    for (const service of Object.values(services)) {
      for (const [name, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[name], name).toBeDefined();
        if (condition === 'service_healthy')
          expect(services[name]!.healthcheck, name).toBeDefined();
      }
    }
  });

  it('mounts only files that exist and names only declared volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(DOCKER_DIR, source)), name).toBe(true);
        else expect(Object.keys(compose.volumes), name).toContain(source);
      }
    }
  });

  it('gives the services settings that claim-intake accepts, pointing at the compose services', () => {
    const env = envFile(join(DOCKER_DIR, 'claim-intake.env'));
    const config = loadConfig({ ...env, ...services.web!.environment });
    expect(config.logFormat).toBe('json');
    expect(new URL(config.databaseUrl).host).toBe('postgres:5432');
    expect(new URL(config.redis.url).host).toBe('redis:6379');
    expect(config.mailboxes).toMatchObject([{ kind: 'imap', host: 'dev-mail', port: 143 }]);
    expect(new URL(config.reply.smtpUrl!).host).toBe('mailpit:1025');
    expect(config.httpHost).toBe('0.0.0.0');
    expect(config.httpPort).toBe(8080);
    // The dev IMAP password is the one the dev Dovecot knows.
    const mailbox = config.mailboxes[0]!;
    expect(read('docker/dev-mail/passwd')).toContain(
      `${mailbox.kind === 'imap' ? mailbox.user : ''}:{PLAIN}${mailbox.kind === 'imap' ? mailbox.password : ''}:`,
    );
  });

  it('has a development Dovecot config that doveconf accepts', async () => {
    const conf = join(DOCKER_DIR, 'dev-mail/dovecot.conf');
    const text = readFileSync(conf, 'utf8');
    expect(text).toMatch(/^protocols = imap$/m);
    expect(text).toMatch(/args = \/etc\/dovecot\/passwd/);
    if (spawnSync('doveconf', ['-h', 'version'], { stdio: 'ignore' }).status === 0) {
      const { stdout } = await run('doveconf', ['-c', conf, '-n']);
      expect(stdout).toMatch(/mail_location = maildir:\/srv\/mail\/%u/);
    }
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages = instructions.filter((l) => l.startsWith('FROM '));
  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

  it('builds in stages: dist/ compiled, production dependencies, then a slim Node 22 runtime', () => {
    expect(stages).toEqual([
      `FROM node:\${NODE_VERSION}-bookworm-slim AS build`,
      `FROM node:\${NODE_VERSION}-bookworm-slim AS deps`,
      `FROM node:\${NODE_VERSION}-bookworm-slim AS runtime`,
    ]);
    expect(instructions).toContain('ARG NODE_VERSION=22');
    expect(instructions.join('\n')).toMatch(
      /^RUN npm ci --no-audit --no-fund --ignore-scripts && node scripts\/build\.mjs$/m,
    );
    expect(instructions.join('\n')).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    // Plain JavaScript at run time: the compiled code, never the TypeScript sources.
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.some((l) => /^COPY src\b/.test(l))).toBe(false);
  });

  it('runs as an unprivileged user with the CLI as entrypoint and start as default command', () => {
    const user = runtime.filter((l) => l.startsWith('USER '));
    expect(user).toEqual(['USER claim-intake']);
    expect(runtime.join('\n')).toMatch(/useradd --system --uid 10001/);
    expect(runtime).toContain('ENTRYPOINT ["node", "bin/claim-intake.js"]');
    expect(runtime).toContain('CMD ["start"]');
    expect(runtime.join('\n')).toMatch(
      /ENV NODE_ENV=production .*LOG_FORMAT=json .*HTTP_HOST=0\.0\.0\.0/,
    );
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const ignored = (path: string) =>
      ignore.some((pattern) => {
        const re = new RegExp(
          `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*\*/g, '\0')
            .replace(/\*/g, '[^/]*')
            .replace(/\0/g, '.*')}(/|$)`,
        );
        return re.test(path);
      });
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(3);
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
        expect(ignored(source), `${source} is excluded by .dockerignore`).toBe(false);
      }
    }
    // What the build and the service read is copied: sources (the build's), templates.
    expect(copies.join(' ')).toMatch(/COPY src \.\/src/);
    expect(copies.join(' ')).toMatch(/COPY templates \.\/templates/);
    // And what must never go in stays out.
    for (const path of ['node_modules', '.git', 'var', 'test', '.env', 'coverage'])
      expect(ignored(path), path).toBe(true);
  });

  describe('its health check', () => {
    let server: Server;
    let healthyPort: number;
    let healthy = true;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url !== '/healthz' ? 404 : healthy ? 200 : 503;
        response.end('{"ok":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      healthyPort = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** Runs the HEALTHCHECK's exec-form command as Docker would (no shell): its exit code. */
    async function healthcheck(port: number): Promise<{ code: number; stderr: string }> {
      const line = runtime.find((l) => l.startsWith('HEALTHCHECK '))!;
      expect(line).toMatch(/--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+/);
      const argv = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
      expect(argv[0]).toBe('node');
      // Asynchronously: the server answering the probe lives in this process.
      return run(process.execPath, argv.slice(1), {
        env: { PATH: process.env.PATH, HTTP_PORT: String(port) },
        timeout: 20_000,
      }).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (error: { code?: number; stderr?: string }) => ({
          code: error.code ?? -1,
          stderr: error.stderr ?? '',
        }),
      );
    }

    it('passes when /healthz answers 200 on HTTP_PORT', async () => {
      expect(await healthcheck(healthyPort)).toEqual({ code: 0, stderr: '' });
    });

    it('fails when /healthz answers 503', async () => {
      healthy = false;
      try {
        expect((await healthcheck(healthyPort)).code).toBe(1);
      } finally {
        healthy = true;
      }
    });

    it('fails when nothing listens on HTTP_PORT', async () => {
      expect((await healthcheck(await freePort())).code).toBe(1);
    });
  });
});
