// `inject`: read documents, run each through injectDocument, print them. Exit codes: 0 done,
// 1 a document was denied (its code and the webhook's message on stderr), 2 the input or config
// is unusable, or the injector failed on its own (a message, never a stack trace).
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify, type YAMLError } from 'yaml';
import type { Config } from '../config/config.js';
import { injectorError } from '../errors.js';
import { readJson, type Json } from '../json.js';
import { quoteName } from '../messages.js';
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

/** A YAML syntax error by its code and position: the library's message quotes the source around it. */
function yamlProblem(error: YAMLError): string {
  const at = error.linePos?.[0];
  return at === undefined ? error.code : `${error.code} at line ${at.line}, column ${at.col}`;
}

/**
 * Our own failure on this input (a bug, or a document nested deeper than this process's stack),
 * said in one line, never with a stack trace. Exit status 2, not 1: nothing was denied.
 */
function internalFailure(what: string, error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const deep = error instanceof RangeError && error.message.includes('call stack');
  const why = deep ? `${name}: the document is nested too deeply to process` : `${name}; this is a bug in the injector, please report it`;
  const failure = injectorError('INJECT_FAILED', `internal error while ${what} (${why})`);
  return `${failure.code}: ${failure.message}\n`;
}

type Parsed = { ok: true; docs: Json[] } | { ok: false; problem: string };

function parseInput(text: string, isJson: boolean): Parsed {
  if (isJson) {
    const read = readJson(text);
    return read.ok ? { ok: true, docs: [read.value] } : { ok: false, problem: read.problem };
  }
  const docs: Json[] = [];
  for (const doc of parseAllDocuments(text)) {
    const first = doc.errors[0];
    if (first !== undefined) return { ok: false, problem: yamlProblem(first) };
    docs.push(doc.toJS() as Json);
  }
  return { ok: true, docs };
}

function render(rendered: readonly Json[], format: OutputFormat): string {
  if (format === 'yaml') return rendered.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  return `${rendered.map((d) => JSON.stringify(d, null, 2)).join('\n')}\n`;
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
  let parsed: Parsed;
  try {
    parsed = parseInput(text, isJson);
  } catch (error) {
    io.stderr(`error: ${internalFailure(`reading ${file}`, error)}`);
    return 2;
  }
  if (!parsed.ok) {
    io.stderr(`error: ${file} is not valid ${isJson ? 'JSON' : 'YAML'}: ${parsed.problem}\n`);
    return 2;
  }
  const docs = parsed.docs.filter((d) => d !== null);
  if (docs.length === 0) {
    io.stderr(`error: ${file} holds no Kubernetes object\n`);
    return 2;
  }
  const format = output ?? (isJson ? 'json' : 'yaml');
  const rendered: Json[] = [];
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? ` (document ${i + 1})` : '';
    let result: ReturnType<typeof injectDocument>;
    try {
      result = injectDocument(doc, config);
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
