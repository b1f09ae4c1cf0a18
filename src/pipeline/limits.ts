// Bounds on what a pipeline may declare, so that every admission costs bounded time and memory
// whatever it is sent. Each one, when exceeded, is a denial that names it. They sit far above
// anything a real pipeline needs; the apiserver's own limits are noted where there is one.
export const LIMITS = {
  /** Bytes of the runtime-config annotation. The apiserver allows 256 KiB for all annotations of an object together. */
  annotationBytes: 256 * 1024,
  /** Nesting levels of the runtime config (a Container needs about 8 below init_containers). */
  depth: 32,
  /** Sidecars one pipeline may declare. */
  sidecars: 32,
} as const;
