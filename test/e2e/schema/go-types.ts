// Reads the core/v1 Go types (k8s.io/api's types.go, from the Go module cache) and derives the
// Container schema table the injector keeps in src/kube/container-schema.ts: every type reachable
// from Container, each field's JSON name, its type, and whether it is a pointer (a zero value is
// kept) or not (a zero value means absent). Go's own source is the truth for pointer-ness, which
// the OpenAPI document does not carry; the OpenAPI document cross-checks the rest.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaTable } from '../../../src/kube/container-schema.js';
import { repoRoot } from '../cluster/paths.js';

/** The folder of k8s.io/api at the version the build module pins (downloaded when absent). */
export function coreTypesFile(): string {
  const moddir = join(repoRoot(), 'scripts', 'kube-build', 'kubernetes');
  const out = execFileSync('go', ['mod', 'download', '-json', 'k8s.io/api'], {
    cwd: moddir,
    encoding: 'utf8',
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=readonly', PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}` },
  });
  const info = JSON.parse(out) as { Dir?: string; Version?: string };
  if (info.Dir === undefined) throw new Error(`go mod download k8s.io/api gave no folder: ${out}`);
  return join(info.Dir, 'core', 'v1', 'types.go');
}

interface GoField {
  json: string;
  goType: string;
  inline: boolean;
}

/** Struct bodies and named non-struct types of one Go file, by name. */
function declarations(source: string): { structs: Map<string, GoField[]>; named: Map<string, string> } {
  const structs = new Map<string, GoField[]>();
  const named = new Map<string, string>();
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const struct = /^type (\w+) struct \{$/.exec(line);
    if (struct !== null) {
      const fields: GoField[] = [];
      for (i++; i < lines.length && lines[i] !== '}'; i++) {
        const field = /^\t(?:(\w+)\s+)?([*\[\]\w.]+)\s+`json:"([^"]*)"/.exec(lines[i] ?? '');
        if (field === null) continue;
        const [, name, goType = '', tag = ''] = field;
        const json = tag.split(',')[0] ?? '';
        if (json === '-') continue;
        fields.push({ json: json === '' ? (name ?? goType) : json, goType, inline: tag.includes('inline') || name === undefined });
      }
      structs.set(struct[1] ?? '', fields);
      continue;
    }
    const other = /^type (\w+) ([\w\[\].]+)$/.exec(line);
    if (other !== null) named.set(other[1] ?? '', other[2] ?? '');
  }
  return { structs, named };
}

/** Our type expression for a Go type: string, int32, int64, bool, Quantity, IntOrString, a type name, []X, {}X; '*' for pointers. */
function typeExpr(goType: string, named: Map<string, string>, structs: Map<string, GoField[]>, queue: string[]): string {
  if (goType.startsWith('*')) return `*${typeExpr(goType.slice(1), named, structs, queue)}`;
  if (goType.startsWith('[]')) return `[]${typeExpr(goType.slice(2), named, structs, queue)}`;
  const map = /^map\[(\w+)\](.+)$/.exec(goType);
  if (map !== null) return `{}${typeExpr(map[2] ?? '', named, structs, queue)}`;
  switch (goType) {
    case 'string':
    case 'int32':
    case 'int64':
    case 'bool':
      return goType;
    case 'resource.Quantity':
      return 'Quantity';
    case 'intstr.IntOrString':
      return 'IntOrString';
  }
  if (structs.has(goType)) {
    queue.push(goType);
    return goType;
  }
  const underlying = named.get(goType);
  if (underlying !== undefined) return typeExpr(underlying, named, structs, queue);
  throw new Error(`unknown Go type ${goType}`);
}

/** The schema table for Container and every type it reaches, in the order they are reached. */
export function containerSchemaFromGo(source: string): SchemaTable {
  const { structs, named } = declarations(source);
  const table: SchemaTable = {};
  const queue = ['Container'];
  while (queue.length > 0) {
    const typeName = queue.shift() ?? '';
    if (Object.hasOwn(table, typeName)) continue;
    const fields: Record<string, string> = {};
    const add = (structName: string): void => {
      for (const field of structs.get(structName) ?? []) {
        if (field.inline) add(field.goType.replace(/^\*/, ''));
        else fields[field.json] = typeExpr(field.goType, named, structs, queue);
      }
    };
    if (!structs.has(typeName)) throw new Error(`no struct ${typeName}`);
    add(typeName);
    table[typeName] = fields;
  }
  return table;
}

export function readContainerSchema(): SchemaTable {
  return containerSchemaFromGo(readFileSync(coreTypesFile(), 'utf8'));
}

/** The generated part of src/kube/container-schema.ts for a table. */
export function renderSchemaTable(table: SchemaTable): string {
  const lines = Object.entries(table).map(([typeName, fields]) => {
    const body = Object.entries(fields).map(([name, type]) => `${name}: '${type}'`).join(', ');
    return `  ${typeName}: { ${body} },`;
  });
  return `export const CONTAINER_SCHEMA: SchemaTable = {\n${lines.join('\n')}\n};\n`;
}

export const SCHEMA_FILE = join(repoRoot(), 'src', 'kube', 'container-schema.ts');

/** The schema file with its generated part replaced by this table. */
export function schemaSource(current: string, table: SchemaTable): string {
  const begin = current.indexOf('// BEGIN GENERATED\n');
  const end = current.indexOf('// END GENERATED');
  if (begin < 0 || end < begin) throw new Error(`${SCHEMA_FILE} lost its BEGIN/END GENERATED markers`);
  return `${current.slice(0, begin)}// BEGIN GENERATED\n${renderSchemaTable(table)}${current.slice(end)}`;
}
