/**
 * The command line: `claim-intake <command> …`. Returns the exit code; never exits
 * the process itself, so commands stay testable. Each command's module is loaded only when
 * it runs: `import` and `check` do not pay for the service's libraries (BullMQ, Fastify,
 * the mail stack), which cost a CLI process about 100 MB of memory and its start-up time.
 */

/** Each command's usage lines and what it does: the general usage and `CMD --help` print them. */
const COMMANDS: { name: string; usage: string[]; does: string }[] = [
  {
    name: 'start',
    usage: ['start [--role all|poller|worker|web]'],
    does: `run the service: mailbox intake (IMAP_URL, else the Maildir var/mailbox), assessment
and the console's HTTP API (HTTP_HOST:HTTP_PORT); Ctrl-C or SIGTERM stops it`,
  },
  {
    name: 'demo',
    usage: ['demo'],
    does: `load the example records and drop the example emails into the Maildir, with their
received times, for \`start\` to process`,
  },
  {
    name: 'ledger',
    usage: ['ledger [--format jsonl|csv] [--all]'],
    does: 'print the ledger entries not exported yet (then marked exported), for billing',
  },
  {
    name: 'migrate',
    usage: ['migrate'],
    does: 'create or upgrade the database schema at DATABASE_URL',
  },
  {
    name: 'housekeeping',
    usage: ['housekeeping [--dry-run]'],
    does: `run housekeeping now (purge raw emails past RETENTION_DAYS, expired sessions, old
sign-in attempts) and print the counts; --dry-run only counts`,
  },
  {
    name: 'import',
    usage: ['import DIR'],
    does: 'load a records directory into the database at DATABASE_URL, idempotently',
  },
  {
    name: 'user',
    usage: ['user add EMAIL --role agent|ops|admin'],
    does: 'create a console user; the password is read from stdin (one line) or prompted for',
  },
  {
    name: 'check',
    usage: [
      'check FILE.eml... [--records DIR] [--policy FILE] [--calendar FILE] [--received ISO]',
      'check --replay CLAIM_ID [--version N]',
    ],
    does: `assess emails offline and print one JSON decision per file (records from DIR, else
from the database at DATABASE_URL); with --replay, run a stored assessment again on the
email, records, policy and calendar it used, and print the decision beside the stored one
(exit 1 when they differ)`,
  },
];

const ENVIRONMENT = `environment:
  DATABASE_URL  default postgres://localhost/claim_intake`;

const indent = (text: string) => text.replace(/^/gm, '        ');

const USAGE = `usage: claim-intake <command>   (claim-intake <command> --help for one)

commands:
${COMMANDS.map((c) => `${c.usage.map((u) => `  ${u}`).join('\n')}\n${indent(c.does)}`).join('\n')}

${ENVIRONMENT}`;

/** One command's help, or undefined for a name that is no command. */
function commandHelp(name: string): string | undefined {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) return undefined;
  const [first, ...more] = c.usage;
  return [
    `usage: claim-intake ${first}`,
    ...more.map((u) => `       claim-intake ${u}`),
    '',
    c.does,
    '',
    ENVIRONMENT,
  ].join('\n');
}

const HELP = new Set(['--help', '-h']);

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /**
   * Raw text for a terminal on stderr (progress redrawn in place); present only when stderr
   * is a TTY, so nothing extra is printed when output is piped or parsed.
   */
  status?: (text: string) => void;
}

const processIo: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  ...(process.stderr.isTTY ? { status: (text: string) => void process.stderr.write(text) } : {}),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // `CMD --help` (or `help CMD`) before the command's module is loaded: fast, and never runs it.
  const asked = command === 'help' ? rest[0] : rest.some((a) => HELP.has(a)) ? command : undefined;
  if (asked !== undefined) {
    const help = commandHelp(asked);
    if (help) {
      io.stdout(help);
      return 0;
    }
  }
  switch (command) {
    case 'check':
      return (await import('./check.ts')).runCheck(rest, io);
    case 'start':
      return (await import('./start.ts')).runStart(rest, io);
    case 'demo':
      return (await import('./demo.ts')).runDemo(rest, io);
    case 'ledger':
      return (await import('./ledger.ts')).runLedger(rest, io);
    case 'migrate':
      return (await import('./migrate.ts')).runMigrate(rest, io);
    case 'housekeeping':
      return (await import('./housekeeping.ts')).runHousekeepingCommand(rest, io);
    case 'import':
      return (await import('./import.ts')).runImport(rest, io);
    case 'user':
      return (await import('./user.ts')).runUser(rest, io);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`claim-intake: unknown command '${command}' (try 'claim-intake --help')`);
      return 2;
  }
}
