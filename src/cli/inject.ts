// `inject`: read documents, run each through injectDocument, print them. Exit codes: 0 done,
// 1 a document was denied (its code and the webhook's message on stderr), 2 the input or config
// is unusable, or the injector failed on its own (a message, never a stack trace).
import { NO_CLUSTER } from '../cluster/context.js';
import { stringify } from 'yaml';
import type { Config } from '../config/config.js';
import type { Json } from '../json.js';
import { quoteName } from '../messages.js';
import { injectDocument } from '../workloads/document.js';
import { configFrom, fatal, type Values } from './args.js';
import { internalFailure, readDocuments } from './documents.js';

export type OutputFormat = 'yaml' | 'json' | 'patch' | 'review';

export interface InjectCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function render(rendered: readonly Json[], format: OutputFormat): string {
  if (format === 'yaml') return rendered.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  return `${rendered.map((d) => JSON.stringify(d, null, 2)).join('\n')}\n`;
}

export function runInject(file: string, output: OutputFormat | undefined, config: Config, io: InjectCommandIO): number {
  const read = readDocuments(file);
  if (!read.ok) {
    io.stderr(`error: ${read.message}\n`);
    return 2;
  }
  const { docs, isJson } = read;
  const format = output ?? (isJson ? 'json' : 'yaml');
  const rendered: Json[] = [];
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? ` (document ${i + 1})` : '';
    let result: ReturnType<typeof injectDocument>;
    try {
      result = injectDocument(doc, config, NO_CLUSTER);
    } catch (error) {
      io.stderr(`error${where}: ${internalFailure('injecting', error)}`);
      return 2;
    }
    if (!result.ok) {
      // A denial says which rule (its code) and why (the webhook's own message); bad input is 2.
      if (result.error.code === 'INPUT_INVALID') {
        io.stderr(`error${where}: ${result.error.message}\n`);
        return 2;
      }
      io.stderr(`error${where}: ${result.error.code}: ${result.error.message}\n`);
      return 1;
    }
    for (const warning of result.value.warnings) io.stderr(`warning${where}: ${warning}\n`);
    if (result.value.note !== null) io.stderr(`note${where}: nothing injected: ${result.value.note}\n`);
    rendered.push(format === 'patch' ? (result.value.ops as unknown as Json) : format === 'review' ? (result.value.review as unknown as Json) : result.value.output);
  }
  let out: string;
  try {
    out = render(rendered, format);
  } catch (error) {
    io.stderr(`error: ${internalFailure(`writing the ${format} output`, error)}`);
    return 2;
  }
  io.stdout(out);
  return 0;
}

export function inject(values: Values): void {
  if (values.file === undefined) fatal('inject needs -f FILE (or -f - for standard input)');
  const output = values.output;
  if (output !== undefined && !['yaml', 'json', 'patch', 'review'].includes(output)) fatal(`--output must be yaml, json, patch or review, got ${quoteName(output)}`);
  const config = configFrom(values);
  process.exitCode = runInject(values.file, output as OutputFormat | undefined, config, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
