// Reading the documents a command is given (a file or stdin; JSON, or YAML with several
// documents) and saying what went wrong in one line, never quoting the input or a stack.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, type YAMLError } from 'yaml';
import { injectorError } from '../errors.js';
import { readJson, type Json } from '../json.js';

export function readInput(file: string): string {
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
export function internalFailure(what: string, error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const deep = error instanceof RangeError && error.message.includes('call stack');
  const why = deep ? `${name}: the document is nested too deeply to process` : `${name}; this is a bug in the injector, please report it`;
  const failure = injectorError('INJECT_FAILED', `internal error while ${what} (${why})`);
  return `${failure.code}: ${failure.message}\n`;
}

export type Parsed = { ok: true; docs: Json[] } | { ok: false; problem: string };

export function parseInput(text: string, isJson: boolean): Parsed {
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


export type Documents = { ok: true; docs: Json[]; isJson: boolean } | { ok: false; message: string };

/** The non-empty documents of a file ('-' for stdin), or why there are none, in one line. */
export function readDocuments(file: string): Documents {
  let text: string;
  try {
    text = readInput(file);
  } catch (error) {
    return { ok: false, message: `cannot read ${file}: ${(error as Error).message}` };
  }
  const isJson = /^\s*[{[]/.test(text);
  let parsed: Parsed;
  try {
    parsed = parseInput(text, isJson);
  } catch (error) {
    return { ok: false, message: internalFailure(`reading ${file}`, error).trimEnd() };
  }
  if (!parsed.ok) return { ok: false, message: `${file} is not valid ${isJson ? 'JSON' : 'YAML'}: ${parsed.problem}` };
  const docs = parsed.docs.filter((d) => d !== null);
  if (docs.length === 0) return { ok: false, message: `${file} holds no Kubernetes object` };
  return { ok: true, docs, isJson };
}
