// The fields of core/v1 Container (from the schema table). Anything else would be dropped
// silently by the apiserver.
import { CONTAINER_SCHEMA } from './container-schema.js';

export const CONTAINER_FIELDS: ReadonlySet<string> = new Set(Object.keys(CONTAINER_SCHEMA.Container ?? {}));

export const PULL_POLICIES: readonly string[] = ['Always', 'IfNotPresent', 'Never'];
