#!/usr/bin/env node
// CLI entry: parse arguments, dispatch to serve | inject | explain | certs (src/cli/, one file each).
import { parseArgs } from 'node:util';
import { fatal, OPTIONS } from './cli/args.js';
import { certs } from './cli/certs.js';
import { explain } from './cli/explain.js';
import { inject } from './cli/inject.js';
import { serve } from './cli/serve.js';
import { USAGE } from './cli/usage.js';

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    fatal(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (rest.length > 0) fatal(`unexpected argument ${rest[0]}\n\n${USAGE}`);
  switch (command) {
    case 'serve':
      return serve(values);
    case 'inject':
      return inject(values);
    case 'certs':
      return certs(values);
    case 'explain':
      return explain(values);
    default:
      fatal(`unknown command ${command}\n\n${USAGE}`);
  }
}

await main(process.argv.slice(2));
