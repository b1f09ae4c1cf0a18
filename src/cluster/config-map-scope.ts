// Which namespaces' ConfigMaps the injector reads (pipeline.configMap.namespaces): the rule the
// informers, decide() and `explain --live` share, so none of them reads where the others would not.
import type { Config } from '../config/config.js';
import { quoteName } from '../messages.js';

/** Empty reads every namespace, else only those listed. */
export function readsConfigMapsIn(config: Config, namespace: string): boolean {
  const listed = config.pipeline.configMap.namespaces;
  return listed.length === 0 || listed.includes(namespace);
}

/** Why a ConfigMap in `namespace` is not read, in the words of the setting. */
export function notListed(namespace: string): string {
  return `namespace ${quoteName(namespace, 63)} is not in pipeline.configMap.namespaces, the namespaces whose ConfigMaps the injector reads`;
}
