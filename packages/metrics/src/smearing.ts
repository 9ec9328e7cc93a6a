import { inModeShare, type ModeComponent } from './in-mode-share.js';
import { checkPoints, checkSameDim, type Points } from './points.js';
import { standardizedMmd2 } from './standardized-mmd.js';

/** A metric of the samples beside the same metric of a second, independent draw of the data (its floor). */
export interface WithFloor {
  value: number;
  floor: number;
}

/** Options of {@link smearingMetrics}. */
export interface SmearingOptions {
  /** Mixture components (data units): adds the in-mode share. */
  components?: readonly ModeComponent[];
  /** In-mode radius in standard deviations (default 2). */
  radius?: number;
  /** Bandwidths of the standardised MMD (default MMD_BANDWIDTHS). */
  bandwidths?: readonly number[];
}

/** Result of {@link smearingMetrics}. */
export interface SmearingResult {
  /** {@link standardizedMmd2} of the samples against `reference`, and of `twin` against `reference`. */
  mmd2: WithFloor;
  /** {@link inModeShare} of the samples, and of `twin` (mixtures only). */
  inModeShare?: WithFloor;
}

/**
 * Metrics that see samples smeared between modes, each beside its data-vs-data floor: the fixed-bandwidth
 * MMD^2 in the reference's standardised units and, for mixtures, the in-mode share. `twin` is a second
 * draw from the data distribution, independent of `reference` (ideally as large as `samples`): what the
 * metrics give for perfect samples at these sizes.
 */
export function smearingMetrics(samples: Points, reference: Points, twin: Points, opts: SmearingOptions = {}): SmearingResult {
  const fn = 'smearingMetrics';
  const s = checkPoints(fn, 'samples', samples, 2),
    r = checkPoints(fn, 'reference', reference, 2),
    t = checkPoints(fn, 'twin', twin, 2);
  checkSameDim(fn, s, r, 'samples', 'reference');
  checkSameDim(fn, t, r, 'twin', 'reference');
  const mmd = (p: Points) => standardizedMmd2(p, r, { bandwidths: opts.bandwidths }).value;
  const result: SmearingResult = { mmd2: { value: mmd(s), floor: mmd(t) } };
  if (opts.components) {
    const share = (p: Points) => inModeShare(p, opts.components!, { radius: opts.radius });
    result.inModeShare = { value: share(s), floor: share(t) };
  }
  return result;
}
