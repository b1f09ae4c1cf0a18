// Names of the labels and annotations this webhook reads or writes on a pod. The runtime-config
// annotation key is configuration (Config.pipeline.runtimeConfigAnnotation), not listed here.

/** Label or annotation; "false" opts the pod out of injection. */
export const INJECT_KEY = 'sidecar.feldera.com/inject';
/** Written on every injected pod: what was injected, so a second pass changes nothing. */
export const STATUS_ANNOTATION = 'sidecar.feldera.com/status';
/** Set by the StatefulSet controller on every pod (Kubernetes 1.28+). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
