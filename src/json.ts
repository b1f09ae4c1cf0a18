// The shapes JSON can take, and reading JSON text without ever echoing it. Objects from the wire
// stay in these types until a parser has checked them, so nothing on the data path pretends to
// know more than it does.
import { parse as locateErrors, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type JsonPrimitive = null | boolean | number | string;
export type Json = JsonPrimitive | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type JsonRead = { ok: true; value: Json } | { ok: false; problem: string };

const WORDS: Record<string, string> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a missing property name (names are double-quoted)',
  ValueExpected: 'a missing value',
  ColonExpected: "a missing ':'",
  CommaExpected: "a missing ','",
  CloseBraceExpected: "a missing '}'",
  CloseBracketExpected: "a missing ']'",
  EndOfFileExpected: 'text after the end of the value',
  InvalidCommentToken: 'a comment (JSON has none)',
  UnexpectedEndOfComment: 'an unfinished comment',
  UnexpectedEndOfString: 'an unfinished string',
  UnexpectedEndOfNumber: 'an unfinished number',
  InvalidUnicode: 'a bad \\u escape',
  InvalidEscapeCharacter: 'a bad escape',
  InvalidCharacter: 'a control character inside a string',
};

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/**
 * Where JSON text is broken, in words and a position, never quoting it: V8's own message copies
 * the text around the error ("...\"token\": s3cr3t..." is not valid JSON), and the text may be a
 * secret. Only called once JSON.parse has failed.
 */
export function describeJsonError(text: string, error: unknown): string {
  let found: ParseError | undefined;
  try {
    const errors: ParseError[] = [];
    locateErrors(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    found = errors[0];
  } catch {
    // Nesting deep enough to exhaust the locator's stack: fall back to V8's own position.
  }
  if (found !== undefined) {
    const what = WORDS[printParseErrorCode(found.error)] ?? 'a syntax error';
    return `${what} at ${lineAndColumn(text, found.offset)}`;
  }
  const message = error instanceof Error ? error.message : '';
  if (message.includes('Unexpected end of JSON input') || text.trim() === '') return 'it ends before the value is complete';
  const position = / at position (\d+)/.exec(message);
  return position?.[1] !== undefined ? `a syntax error at ${lineAndColumn(text, Number(position[1]))}` : 'a syntax error';
}

/** JSON.parse that reports a failure by position only. */
export function readJson(text: string): JsonRead {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (error) {
    return { ok: false, problem: describeJsonError(text, error) };
  }
}

/** The nesting depth of a parsed value, without recursion (a value may nest 100 000 levels). */
export function depthExceeds(value: Json, limit: number): boolean {
  const stack: [Json, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [Json, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
