#!/usr/bin/env node
// Runs the built JavaScript in dist/, compiled from src/ by `npm ci` (the `prepare` script)
// or `npm run build`. The service's stack traces point into the TypeScript sources (source
// maps); one-shot commands skip them, which start about 10 ms sooner.
if (process.argv[2] === 'start') process.setSourceMapsEnabled(true);
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js'))
    throw error;
  process.stderr.write('claim-intake is not built: run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
// `start` has closed everything it opened once main returns, and the process ends by itself.
// A timer a library armed while being closed must not hold it (BullMQ's stalled-job check,
// closed in the middle of a check, arms one for 30 s): after a second, it exits anyway.
if (process.argv[2] === 'start') setTimeout(() => process.exit(), 1000).unref();
