// Whether this replica should receive admissions. The Service only routes to ready pods, so
// readiness goes false first when draining and new requests shift to the other replicas.
export interface ReadinessState {
  ready: boolean;
  tlsLoaded: boolean;
  draining: boolean;
}

export class Readiness {
  tlsLoaded = false;
  draining = false;

  get ready(): boolean {
    return this.tlsLoaded && !this.draining;
  }

  snapshot(): ReadinessState {
    return { ready: this.ready, tlsLoaded: this.tlsLoaded, draining: this.draining };
  }
}
