// What one decision benchmark input is: shared by the example, the cost curve and the slowest
// known inputs (apart from inputs.ts, which lists them all, so that slowest-inputs.ts need not
// import the list it is part of).
import type { Config } from '../../src/config/config.js';

export interface DecisionInput {
  name: string;
  /** One line for the report. */
  what: string;
  /** The AdmissionReview body, as received over HTTP. */
  review: () => string;
  /** The configuration to decide with (default: DEFAULT_CONFIG, the chart's defaults). */
  config?: () => Config;
  /** Where it sits on a cost curve: the series and its x (KB of body, or sidecars). */
  curve?: { series: CurveSeries; x: number };
}

export type CurveSeries = 'pipeline-env' | 'sidecar-env' | 'sidecars';
