// Whether this replica should receive admissions. The Service only routes to ready pods, so
// readiness goes false first when draining and new requests shift to the other replicas. With
// cluster caches (namespace policy, Feldera's ConfigMaps), it stays false until they have synced:
// before that, a namespace's policy is not known.
export interface ReadinessState {
  ready: boolean;
  tlsLoaded: boolean;
  draining: boolean;
  cachesSynced: boolean;
}

export class Readiness {
  tlsLoaded = false;
  draining = false;
  /** Replaced by the cluster caches' own check when the server watches the cluster. */
  cachesSynced: () => boolean = () => true;

  get ready(): boolean {
    return this.tlsLoaded && !this.draining && this.cachesSynced();
  }

  snapshot(): ReadinessState {
    const cachesSynced = this.cachesSynced();
    return { ready: this.tlsLoaded && !this.draining && cachesSynced, tlsLoaded: this.tlsLoaded, draining: this.draining, cachesSynced };
  }
}
