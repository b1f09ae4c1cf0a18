// The one typed configuration every part of the injector reads. load.ts turns YAML, environment
// variables and flags into this; nothing else parses configuration.

export type Action = 'enforce' | 'warn';
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export type Placement = 'coordinator' | 'all';
export type ConfigSource = 'annotation' | 'configMap' | 'both';

/** Resource name -> quantity string, as in a Container's resources.requests/limits. */
export type ResourceList = Record<string, string>;

export interface Resources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface Config {
  pipeline: {
    /** The seed Helm value: false makes every pipeline that declares init_containers fail to start. */
    allowInitContainers: boolean;
    /** Pod annotation that carries the pipeline's runtime_config JSON; its presence selects a pod. */
    runtimeConfigAnnotation: string;
    /** Pod label carrying the pipeline id; the pod name pipeline-<uuid>-N is the fallback. */
    idLabel: string;
    /** Port of the pipeline's HTTP API inside the pod (sidecars reach it on 127.0.0.1). */
    port: number;
    /**
     * Where a pipeline pod's runtime config comes from. annotation: the pod's runtimeConfigAnnotation
     * (its presence selects the pod). configMap: Feldera's own ConfigMap for the pipeline (the pod is
     * selected by its id label or pipeline-<uuid>-N name). both: the annotation when the pod has it,
     * else the ConfigMap.
     */
    configSource: ConfigSource;
    configMap: {
      /** The ConfigMap's name; {id} is replaced by the pipeline id. */
      nameTemplate: string;
      /** The data key holding the PipelineConfig (JSON or YAML). */
      key: string;
      /**
       * The namespaces whose ConfigMaps the injector reads (one informer and one Role each); empty:
       * every namespace (one cluster-wide informer, a ClusterRole). A pipeline pod in a namespace
       * outside the list is admitted without sidecars, with a warning that names this setting.
       */
      namespaces: string[];
    };
  };
  /** Namespaces may tighten the policy with the sidecar.feldera.com/policy annotation (needs a cluster: read from an informer cache). */
  namespacePolicy: { enabled: boolean };
  /** How the webhook reaches the Kubernetes API when it needs to: a kubeconfig path, else KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  cluster: { kubeconfig: string };
  sidecars: {
    defaultResources: Resources;
    /** coordinator: only pod 0 of a multi-host pipeline gets sidecars; all: every host pod. */
    placement: Placement;
    /** Add the FELDERA_PIPELINE_* discovery variables to each sidecar. */
    injectEnv: boolean;
  };
  policy: {
    allowedImages: { patterns: string[]; action: Action };
    maxSidecars: { max: number | null; action: Action };
    resourceCaps: { requests: ResourceList; limits: ResourceList; action: Action };
    podSecurity: { level: PodSecurityLevel; action: Action };
  };
  server: {
    host: string;
    port: number;
    metricsHost: string;
    metricsPort: number;
    /** Largest AdmissionReview body accepted; larger ones get 413. */
    bodyLimitBytes: number;
    /** On SIGTERM: seconds to keep serving (readiness false) before closing. */
    drainSeconds: number;
  };
  tls: {
    certFile: string;
    keyFile: string;
    /** When set, callers must present a certificate signed by this CA (mTLS). */
    clientCAFile: string | null;
  };
  /**
   * Where the serving certificate comes from. files: tls.certFile/keyFile as mounted (cert-manager
   * or any other tool writes them). selfManaged: the webhook keeps a CA and serving certificate in
   * a Secret, writes them to tls.certFile/keyFile, and keeps the MutatingWebhookConfiguration's
   * caBundle in step, repairing it when something resets it.
   */
  certificates: {
    mode: 'files' | 'selfManaged';
    /** Namespace of the Secret; empty means the pod's own (POD_NAMESPACE env, then the service-account namespace file). */
    namespace: string;
    secretName: string;
    webhookConfigurationName: string;
    serviceName: string;
    validityDays: number;
    /** Renew the serving certificate when less than this many days remain. */
    renewBeforeDays: number;
    /** How often to check the Secret, the caBundle and the expiry. */
    checkIntervalSeconds: number;
  };
  /**
   * Events (events.k8s.io/v1) on a pipeline pod's StatefulSet for each real admission: injected,
   * denied, or skipped although sidecars were declared. auto: on when cluster credentials exist
   * (KUBECONFIG, ~/.kube/config, or the pod's service account), off otherwise (`serve --dev` on a
   * laptop); on: required (start-up fails without credentials); off: never.
   */
  events: {
    mode: 'auto' | 'on' | 'off';
    /** Events waiting to be written; beyond it the oldest is dropped (and counted). */
    queueSize: number;
    /** The same event again within this many seconds grows the stored Event's series. */
    seriesWindowSeconds: number;
  };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export const DEFAULT_CONFIG: Config = {
  pipeline: {
    allowInitContainers: true,
    runtimeConfigAnnotation: 'feldera.com/runtime-config',
    idLabel: 'feldera.com/pipeline-id',
    port: 8080,
    configSource: 'annotation',
    // Feldera's runners write the PipelineConfig as config.yaml (and config.json) for the pipeline
    // process to read (--config-file); the Kubernetes runner ships it in the pipeline's ConfigMap.
    configMap: { nameTemplate: 'pipeline-{id}', key: 'config.yaml', namespaces: [] },
  },
  namespacePolicy: { enabled: false },
  cluster: { kubeconfig: '' },
  sidecars: {
    defaultResources: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    },
    placement: 'coordinator',
    injectEnv: true,
  },
  policy: {
    allowedImages: { patterns: [], action: 'enforce' },
    maxSidecars: { max: null, action: 'enforce' },
    resourceCaps: { requests: {}, limits: {}, action: 'enforce' },
    podSecurity: { level: 'baseline', action: 'enforce' },
  },
  server: {
    host: '0.0.0.0',
    port: 8443,
    metricsHost: '0.0.0.0',
    metricsPort: 9090,
    bodyLimitBytes: 7 * 1024 * 1024,
    drainSeconds: 5,
  },
  tls: { certFile: 'certs/tls.crt', keyFile: 'certs/tls.key', clientCAFile: null },
  certificates: {
    mode: 'files',
    namespace: '',
    secretName: 'feldera-sidecar-injector-tls',
    webhookConfigurationName: 'feldera-sidecar-injector',
    serviceName: 'feldera-sidecar-injector',
    validityDays: 365,
    renewBeforeDays: 30,
    checkIntervalSeconds: 30,
  },
  events: { mode: 'auto', queueSize: 1000, seriesWindowSeconds: 360 },
  log: { level: 'info' },
};
