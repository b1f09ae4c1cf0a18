// The Container schema table (src/kube/container-schema.ts) is what k8s.io/api's types.go says
// (test/e2e/schema/go-types.ts derives it; UPDATE_SCHEMA=1 rewrites the committed table), and its
// field names and types agree with the real kube-apiserver's OpenAPI v3 document for core/v1.
// Go's source is the truth for pointers ('*'), which OpenAPI does not carry.
import { readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { CONTAINER_SCHEMA, type SchemaTable } from '../../src/kube/container-schema.js';
import { startControlPlane } from './cluster/index.js';
import { readContainerSchema, SCHEMA_FILE, schemaSource } from './schema/go-types.js';

const fromGo = readContainerSchema();

t.test('the committed table is the one types.go gives', async (t) => {
  if (process.env.UPDATE_SCHEMA === '1') {
    writeFileSync(SCHEMA_FILE, schemaSource(readFileSync(SCHEMA_FILE, 'utf8'), fromGo));
    t.comment(`UPDATE_SCHEMA=1: rewrote ${SCHEMA_FILE}`);
    t.strictSame(schemaSource(readFileSync(SCHEMA_FILE, 'utf8'), fromGo), readFileSync(SCHEMA_FILE, 'utf8'), 'rewritten');
    return;
  }
  t.strictSame(CONTAINER_SCHEMA, fromGo, 'src/kube/container-schema.ts matches types.go (when stale: UPDATE_SCHEMA=1 npx tap test/e2e/container-schema.test.ts)');
});

interface OpenApiSchema {
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: OpenApiSchema[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
}

const REFS: Record<string, string> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
};

/** A property's type in the table's notation, without pointers. */
function typeOf(schema: OpenApiSchema): string {
  const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
  if (ref !== undefined) {
    const name = ref.replace('#/components/schemas/', '');
    return REFS[name] ?? name.replace('io.k8s.api.core.v1.', '');
  }
  if (schema.type === 'array' && schema.items !== undefined) return `[]${typeOf(schema.items)}`;
  if (schema.type === 'object' && schema.additionalProperties !== undefined) return `{}${typeOf(schema.additionalProperties)}`;
  if (schema.type === 'integer') return schema.format ?? 'integer';
  if (schema.type === 'boolean') return 'bool';
  return schema.type ?? JSON.stringify(schema);
}

const withoutPointers = (table: SchemaTable): SchemaTable =>
  Object.fromEntries(Object.entries(table).map(([name, fields]) => [name, Object.fromEntries(Object.entries(fields).map(([field, type]) => [field, type.replaceAll('*', '')]))]));

t.test('field names and types agree with kube-apiserver\'s OpenAPI v3 document', async (t) => {
  const cp = await startControlPlane();
  t.teardown(() => cp.stop());
  const response = await cp.rest.get<{ components?: { schemas?: Record<string, OpenApiSchema> } }>('/openapi/v3/api/v1');
  t.strictSame(response.status, 200);
  const schemas = response.body.components?.schemas ?? {};
  const fromOpenApi: SchemaTable = {};
  for (const name of Object.keys(fromGo)) {
    const properties = schemas[`io.k8s.api.core.v1.${name}`]?.properties ?? {};
    fromOpenApi[name] = Object.fromEntries(Object.keys(fromGo[name] ?? {}).concat(Object.keys(properties).filter((p) => !Object.hasOwn(fromGo[name] ?? {}, p))).map((field) => {
      const property = properties[field];
      return [field, property === undefined ? '(absent from OpenAPI)' : typeOf(property)];
    }));
  }
  // Against what types.go gives (which the first test holds the committed table to), so UPDATE_SCHEMA=1 passes in one run.
  t.strictSame(fromOpenApi, withoutPointers(fromGo));
});
