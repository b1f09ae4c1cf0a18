// `inject`: read documents, run each through injectDocument, print them. Exit codes: 0 done,
// 1 a document was denied (the webhook's message on stderr), 2 the input or config is unusable.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import type { Config } from '../config/config.js';
import type { Json } from '../json.js';
import { injectDocument } from '../workloads/document.js';
import { configFrom, fatal, type Values } from './args.js';

export type OutputFormat = 'yaml' | 'json' | 'patch' | 'review';

export interface InjectCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

export function runInject(file: string, output: OutputFormat | undefined, config: Config, io: InjectCommandIO): number {
  let text: string;
  try {
    text = readInput(file);
  } catch (error) {
    io.stderr(`error: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const isJson = /^\s*[{[]/.test(text);
  let docs: Json[];
  try {
    docs = isJson
      ? [JSON.parse(text) as Json]
      : parseAllDocuments(text).map((doc) => {
          if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'invalid YAML');
          return doc.toJS() as Json;
        });
  } catch (error) {
    io.stderr(`error: ${file} is not valid ${isJson ? 'JSON' : 'YAML'}: ${(error as Error).message}\n`);
    return 2;
  }
  docs = docs.filter((d) => d !== null);
  if (docs.length === 0) {
    io.stderr(`error: ${file} holds no Kubernetes object\n`);
    return 2;
  }
  const format = output ?? (isJson ? 'json' : 'yaml');
  const rendered: Json[] = [];
  for (const [i, doc] of docs.entries()) {
    const result = injectDocument(doc, config);
    const where = docs.length > 1 ? ` (document ${i + 1})` : '';
    if (!result.ok) {
      io.stderr(`error${where}: ${result.error.message}\n`);
      return result.error.code === 'INPUT_INVALID' ? 2 : 1;
    }
    for (const warning of result.value.warnings) io.stderr(`warning${where}: ${warning}\n`);
    if (result.value.note !== null) io.stderr(`note${where}: nothing injected: ${result.value.note}\n`);
    rendered.push(format === 'patch' ? (result.value.ops as unknown as Json) : format === 'review' ? (result.value.review as unknown as Json) : result.value.output);
  }
  if (format === 'yaml') io.stdout(rendered.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
  else io.stdout(`${rendered.map((d) => JSON.stringify(d, null, 2)).join('\n')}\n`);
  return 0;
}

export function inject(values: Values): void {
  if (values.file === undefined) fatal('inject needs -f FILE (or -f - for standard input)');
  const output = values.output;
  if (output !== undefined && !['yaml', 'json', 'patch', 'review'].includes(output)) fatal(`--output must be yaml, json, patch or review, got ${output}`);
  const config = configFrom(values);
  process.exitCode = runInject(values.file, output as OutputFormat | undefined, config, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
