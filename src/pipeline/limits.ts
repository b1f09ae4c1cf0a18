// Bounds on what a pipeline may declare, so that every admission costs bounded time and memory
// whatever it is sent. Each one, when exceeded, is a denial that names it. They sit far above
// anything a real pipeline needs; the apiserver's own limits are noted where there is one.
export const LIMITS = {
  /** Bytes of the runtime-config annotation. The apiserver allows 256 KiB for all annotations of an object together. */
  annotationBytes: 256 * 1024,
  /** Bytes of the PipelineConfig in Feldera's ConfigMap: the apiserver's limit for a whole ConfigMap (1 MiB). */
  configMapValueBytes: 1024 * 1024,
  /** The same as YAML: parsing YAML costs ~1000 times JSON's (a 64 KiB YAML value is read in well under a second, once per version). */
  configMapYamlBytes: 64 * 1024,
  /** Nesting levels of the runtime config (a Container needs about 8 below init_containers). */
  depth: 32,
  /** Sidecars one pipeline may declare. */
  sidecars: 32,
  /** Characters of a sidecar's image reference. The apiserver has no limit; registries stop far below (a repository name at 255). */
  imageLength: 4096,
  /** Entries of one sidecar's env. The apiserver has no limit. */
  envPerSidecar: 2048,
  /** Characters of one env var name (the apiserver has no limit since names were relaxed in 1.32). */
  envNameLength: 1024,
  /** Entries of one sidecar's envFrom. */
  envFromPerSidecar: 64,
  /** Entries of one sidecar's ports. */
  portsPerSidecar: 128,
  /** Entries of one sidecar's volumeMounts. */
  volumeMountsPerSidecar: 128,
  /** Entries of one sidecar's volumeDevices. */
  volumeDevicesPerSidecar: 64,
  /** Validation errors (and, separately, warnings) a denial lists; the rest are counted, not listed. */
  findingsListed: 50,
} as const;

export type LimitName = keyof typeof LIMITS;
