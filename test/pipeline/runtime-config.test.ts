import t from 'tap';
import { readRuntimeConfig } from '../../src/pipeline/runtime-config.js';
import { LIMITS } from '../../src/pipeline/limits.js';

const A = 'feldera.com/runtime-config';

t.test('a broken annotation is reported by position, never quoted', async (t) => {
  const secret = 's3cr3t-api-key-value';
  const rows: [string, string][] = [
    [`{"token": ${secret}}`, 'an unexpected character at line 1, column 11'],
    [`{"token": "${secret}",}`, 'a missing property name (names are double-quoted) at line 1, column 34'],
    [`{"token":\n  "${secret}"`, "a missing '}' at line 2, column 25"],
    ['', 'a missing value at line 1, column 1'],
    [`{"a": 1} ${secret}`, 'an unexpected character at line 1, column 10'],
  ];
  for (const [text, where] of rows) {
    const read = readRuntimeConfig(text, A);
    t.strictSame(read.ok ? null : read.error, { code: 'RUNTIME_CONFIG_INVALID', message: `annotation ${A} is not valid JSON (${where}); it must hold the pipeline's runtime_config` });
    t.strictSame(read.ok ? '' : read.error.message.includes('s3cr3t'), false, 'the content stays out of the message');
  }
});

t.test('deep nesting is refused by a named limit, not a stack overflow', async (t) => {
  const deep = `{"init_containers": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
  const read = readRuntimeConfig(deep, A);
  t.strictSame(read.ok ? null : read.error, { code: 'LIMIT_EXCEEDED', message: `annotation ${A} nests deeper than 32 levels; a runtime_config needs far fewer` });
  const brokenDeep = '['.repeat(300_000);
  const broken = readRuntimeConfig(brokenDeep, A);
  t.strictSame(broken.ok ? null : broken.error.code, 'LIMIT_EXCEEDED', 'a broken text over the size limit is refused by size first');
  const brokenFits = readRuntimeConfig('['.repeat(100_000), A);
  t.strictSame(brokenFits.ok ? null : brokenFits.error.code, 'RUNTIME_CONFIG_INVALID', 'a broken deep text is still answered');
  t.strictSame(readRuntimeConfig(`{"a": ${'['.repeat(31)}${']'.repeat(31)}}`, A).ok, true, '32 levels pass');
  t.strictSame(readRuntimeConfig(`{"a": ${'['.repeat(32)}${']'.repeat(32)}}`, A).ok, false, '33 levels do not');
});

t.test('size and count limits name themselves', async (t) => {
  const big = readRuntimeConfig(`{"x": "${'a'.repeat(LIMITS.annotationBytes)}"}`, A);
  t.strictSame(big.ok ? null : big.error, {
    code: 'LIMIT_EXCEEDED',
    message: `annotation ${A} is larger than 262144 bytes (the limit for all annotations of a pod); shorten the runtime_config`,
  });
  const multiByte = readRuntimeConfig(`{"x": "${'é'.repeat(LIMITS.annotationBytes / 2)}"}`, A);
  t.strictSame(multiByte.ok ? null : multiByte.error.code, 'LIMIT_EXCEEDED', 'bytes are counted, not characters');
  const many = readRuntimeConfig(JSON.stringify({ init_containers: Array.from({ length: 33 }, (_, i) => ({ name: `s${i}`, image: 'x' })) }), A);
  t.strictSame(many.ok ? null : many.error, {
    code: 'LIMIT_EXCEEDED',
    message: `annotation ${A}: 33 init_containers declared; this webhook accepts at most 32 sidecars per pipeline`,
  });
  t.strictSame(readRuntimeConfig(JSON.stringify({ init_containers: Array.from({ length: 32 }, () => ({})) }), A).ok, true, '32 pass');
});

t.test('shapes', async (t) => {
  const value = (text: string) => {
    const r = readRuntimeConfig(text, A);
    return r.ok ? r.value : r.error.message;
  };
  t.strictSame(value('{"init_containers": null}'), { initContainers: [], hosts: 1 });
  t.strictSame(value('{"hosts": 3, "init_containers": [{}]}'), { initContainers: [{}], hosts: 3 });
  t.strictSame(value('{"hosts": "3"}'), { initContainers: [], hosts: 1 });
  t.strictSame(value('[]'), `annotation ${A} must hold a JSON object (the pipeline's runtime_config), got an array`);
  t.strictSame(value('{"init_containers": {}}'), `annotation ${A}: init_containers must be an array of Kubernetes Container objects, got an object`);
  t.strictSame(value('{"__proto__": {"polluted": 1}, "init_containers": []}'), { initContainers: [], hosts: 1 });
  t.strictSame(({} as Record<string, unknown>).polluted, undefined, 'a __proto__ key is data, not a prototype');
});
