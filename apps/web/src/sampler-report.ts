/**
 * What a sampling run used and whether its chains settled, said briefly for the metrics table: the
 * library's `sample` returns its settings with every default filled in from the model, and a Stein check
 * of the particles (@scorefield/models, stationarity). The CLI prints the same (`scorefield sample`'s
 * settingsText); the page words it for people who did not pass the flags.
 */
import { langevinSchemes, type LangevinScheme, type SamplerSettings, type Stationarity } from '@scorefield/models';

/** Names of the settings on the page (standardised units, as the library's). */
const words: Record<string, string> = {
  steps: 'steps',
  stepSize: 'step size',
  sigma: 'σ',
  sigmas: 'levels',
  decay: 'decay',
  denoise: 'final denoising step',
  correctorSteps: 'corrector steps',
  snr: 'SNR',
  rtol: 'rtol',
  atol: 'atol',
};

const fromWords: Record<string, string> = { model: 'from the model', fixed: 'fixed', given: 'given' };

const short = (v: number) => String(Number(v.toPrecision(3)));

/**
 * `steps 1200 · step size 0.0123 (from the model) · σ 0.1` (a ladder as `levels 14: 3.71 → 0.0276`). Settings at their neutral
 * value are left out, and so is the noise level a model without noise conditioning is read at (it ignores it).
 */
export function settingsText(settings: SamplerSettings, conditional: boolean): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(settings)) {
    const neutral = (k === 'decay' && v === 1) || (k === 'correctorSteps' && v === 0) || (k === 'snr' && settings.correctorSteps === 0);
    if (neutral || k === 'stepFrom' || (k === 'sigma' && !conditional)) continue;
    const name = words[k] ?? k;
    // Where the step size came from (Langevin: the model's curvature, the fallback, or given) goes beside it.
    const from = k === 'stepSize' && typeof settings.stepFrom === 'string' ? ` (${fromWords[settings.stepFrom] ?? settings.stepFrom})` : '';
    if (Array.isArray(v)) parts.push(`${name} ${v.length}: ${short(v[0])} → ${short(v[v.length - 1])}`);
    else if (k === 'steps' && Array.isArray(settings.sigmas)) parts.push(`${name} ${v} per level`);
    else if (k === 'finalSteps') {
      if (v) parts.push(`then ${v} at ${short(langevinSchemes[settings.scheme as LangevinScheme].finalFactor)}× the step`);
    } else if (typeof v === 'number') parts.push(`${name} ${short(v)}${from}`);
    else if (typeof v === 'boolean') parts.push(v ? name : `no ${name}`);
    else parts.push(`${name} ${v}`);
  }
  return parts.join(' · ');
}

/**
 * The Stein check in a few words. Only for samplers that end with a chain at the model's law (plain
 * Langevin) is it a convergence check; the others end at a small noise level by design.
 */
export function settledText(s: Stationarity, convergenceCheck: boolean): { text: string; title: string; warn: boolean } {
  const residual = `Stein residual ${s.residual.toFixed(3)}${Number.isFinite(s.standardError) ? ` ± ${s.standardError.toFixed(3)}` : ''}`;
  if (!convergenceCheck)
    return {
      text: 'n/a',
      title: `this sampler ends at a small noise level by design, so the check is not about convergence (${residual})`,
      warn: false,
    };
  return s.settled
    ? { text: `yes (${s.residual.toFixed(2)})`, title: `${residual}: 0 at the model's law`, warn: false }
    : {
        text: `no (${s.residual.toFixed(2)})`,
        title: `${residual}: the chains have not reached the model's law; more sampler steps, or a smaller step if it grows with them`,
        warn: true,
      };
}
