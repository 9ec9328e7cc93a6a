// The contract between the WASM core and its TypeScript side: every code, constant and config block that
// crosses the boundary is declared here, once. The build (scripts/build-wasm.mjs with scripts/contract.mjs)
// generates src/generated/contract.ts from this file, taking the block layouts from the compiler itself,
// so the TS side writes exactly what this side reads. Codes are explicit: they are an ABI, not an order.
// Config blocks are @unmanaged classes: the TS side allocates and fills them, a kernel reads them with
// changetype<Block>(pointer).

/** Activation phi after every hidden layer (assembly/activation.ts); elu has alpha = 1. */
export enum ActivationCode {
  Silu = 0,
  Softplus = 1,
  Tanh = 2,
  Elu = 3,
}

/** How a network f is read as a score model (assembly/model.ts). */
export enum ModelKindCode {
  /** s(x) = f(x), f: d -> d. */
  Score = 0,
  /** E(x) = f(x), f: d -> 1, s = -grad_x E. */
  Energy = 1,
}

/** Noise conditioning, as bit flags. */
export enum ConditioningCode {
  None = 0,
  /** Concatenate c(sigma) (EMBED_FEATURES features) to the input. */
  Embed = 1,
  /** Divide the output by sigma. */
  Scale = 2,
  Both = 3,
  /**
   * Precondition the network for a score model (Karras et al. 2022, table 1, sigma_data = 1, the standardised
   * data's scale): input x / sqrt(1 + sigma^2), and s = -x / (1 + sigma^2) + f / (sigma sqrt(1 + sigma^2)).
   */
  Precondition = 4,
  /** Embed and Precondition: conditioning 'precond'. */
  EmbedPrecondition = 5,
  /**
   * The Gaussian skip (score models; a GaussianConfig): input (x - mu) / sqrt(v + sigma^2), and s = the exact score of
   * the data's Gaussian N(mu, C) blurred by sigma + c_out(sigma) f / sigma^2 (assembly/model.ts).
   */
  Gaussian = 8,
  /** Embed and Gaussian: conditioning 'gaussian'. */
  EmbedGaussian = 9,
  /**
   * Fourier features of the network's input x c_in (a FourierConfig): sin(2 pi B x c_in) and cos(2 pi B x c_in) follow
   * x c_in in the input row (assembly/model.ts). see: Tancik et al. 2020, "Fourier Features Let Networks Learn High
   * Frequency Functions in Low Dimensional Domains".
   */
  Fourier = 16,
  /** Embed, Precondition and Fourier: conditioning 'fourier'. */
  EmbedPreconditionFourier = 21,
  /**
   * The mixture skip (score models; a MixtureConfig): input (x - mu) / sqrt(v + sigma^2), and s = the exact score of
   * a mixture of Gaussians blurred by sigma + c_out(sigma) f / sigma^2 (assembly/mixture.ts).
   */
  Mixture = 32,
  /** Embed and Mixture: conditioning 'mixture'. */
  EmbedMixture = 33,
}

/** The fixed frequencies of a 'fourier' model's input features: B [m, d], in cycles per unit of x c_in. */
@unmanaged export class FourierConfig {
  /** Data dimension d. */
  dim: i32;
  /** Frequencies m (each gives a sine and a cosine feature). */
  count: i32;
  /** f32 [m, d]: B, row-major. */
  frequencies: usize;
}

/**
 * The Gaussian of a 'gaussian' model, N(mu, C) with C = U^T diag(lambda) U + rest (I - U^T U) (probabilistic PCA:
 * the k leading eigenvectors U [k, d] of the data's covariance, their eigenvalues, and the mean of the others).
 */
@unmanaged export class GaussianConfig {
  /** Data dimension d. */
  dim: i32;
  /** Eigenvectors kept, k (0..d). */
  rank: i32;
  /** Variance of every direction orthogonal to U (the mean of the other eigenvalues; >= 0). */
  rest: f32;
  /** Mean variance per coordinate, tr(C) / d (the input's scale). */
  variance: f32;
  /** f32 [d]: mu. */
  mean: usize;
  /** f32 [k, d]: U, orthonormal rows. */
  vectors: usize;
  /** f32 [k]: lambda (>= 0). */
  variances: usize;
}

/**
 * The mixture of a 'mixture' model, sum_k w_k N(mu_k, C_k), each component a GaussianConfig (probabilistic PCA).
 */
@unmanaged export class MixtureConfig {
  /** Data dimension d. */
  dim: i32;
  /** Components, K >= 1. */
  components: i32;
  /** Mean variance per coordinate of the whole mixture, tr(Cov) / d (the input's scale). */
  variance: f32;
  /** f32 [d]: the mixture's mean (the input's shift). */
  mean: usize;
  /** f32 [K]: ln w_k (the weights sum to 1). */
  logWeights: usize;
  /** u32 [K]: pointers to the components' GaussianConfig blocks (their vectors are not read by the kernels). */
  gaussians: usize;
  /** q: rows of the shared basis (every component's eigenvectors lie in its span). */
  basisRank: i32;
  /** f32 [q, d]: B, orthonormal rows. */
  basis: usize;
  /** u32 [K]: pointers to each component's rotation, f32 [k, q]: its eigenvectors in B's coordinates (U_k = R_k B). */
  rotations: usize;
  /** f32 [K, q]: B (mu_k - mean), each component's mean in B's coordinates. */
  coordinates: usize;
  /** f32 [K, d]: (I - B^T B)(mu_k - mean), the part of each component's mean offset outside B's span. */
  offsets: usize;
  /** f32 [K]: |offsets_k|^2. */
  offsetNorms: usize;
  /** Scratch slots: one per thread of the core (the caller is slot 0, worker id slot id). */
  slots: i32;
  /** [slots] of 8 (q + 3K + 2 sum_k k) bytes, each thread's scratch (assembly/mixture.ts, slotOf). */
  scratch: usize;
}

/** Features of the noise embedding c(sigma) = [l, sin(l/2), cos(l/2), sin l, cos l, sin 2l, cos 2l], l = ln sigma. */
export const EMBED_FEATURES: i32 = 7;

/** The score-matching objectives (assembly/objectives.ts). */
export enum ObjectiveCode {
  Esm = 0,
  Ssm = 1,
  SsmVr = 2,
  Dsm = 3,
  Ncsn = 4,
  /** Continuous-time DSM over the SDE in ObjectiveConfig.sde. */
  Continuous = 5,
}

/** Projections v of sliced score matching; all have E[v v^T] = I. */
export enum ProjectionCode {
  Gaussian = 0,
  Rademacher = 1,
  /** Uniform on the sphere of radius sqrt(d). */
  Sphere = 2,
}

/** The forward SDEs of continuous-time models (assembly/sde.ts). */
export enum SdeCode {
  /** Variance exploding. */
  Ve = 0,
  /** Variance preserving. */
  Vp = 1,
}

/** The step rules of samplerSteps (assembly/langevin.ts). */
export enum StepMode {
  /** x <- a x + b s(x; sigma) + c z. */
  Affine = 0,
  /** Langevin corrector with the signal-to-noise-adaptive step eps = 2 a (b mean|z| / mean|s|)^2. */
  Corrector = 1,
  /** Leimkuhler-Matthews: x <- a x + b s(x; sigma) + c (z_t + z_{t+1}) / 2, z_{t+1} the next step's noise. */
  Lm = 2,
}

/** The built-in 2-D datasets (assembly/datasets.ts). */
export enum DatasetId {
  Gaussians8 = 0,
  Spirals2 = 1,
  Checkerboard = 2,
  Moons = 3,
  Circles = 4,
  Rings = 5,
  Swissroll = 6,
  Pinwheel = 7,
  Gaussians25 = 8,
  Gmm3 = 9,
  NcsnMix = 10,
}

/** A forward SDE with its parameters (assembly/sde.ts). */
@unmanaged export class SdeConfig {
  /** SdeCode. */
  sde: i32;
  /** VE: sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t. */
  sigmaMin: f32;
  sigmaMax: f32;
  /** VP: beta(t) = betaMin + t (betaMax - betaMin). */
  betaMin: f32;
  betaMax: f32;
  /** Training times t ~ U(eps, 1). */
  eps: f32;
}

/** An objective bound to a model (assembly/objectives.ts); fields an objective does not use are 0. */
@unmanaged export class ObjectiveConfig {
  /** ObjectiveCode. */
  objective: i32;
  /** ModelKindCode. */
  kind: i32;
  /** ConditioningCode bits. */
  conditioning: i32;
  /** Data dimension d. */
  dim: i32;
  /** ssm, ssm-vr: ProjectionCode. */
  projection: i32;
  /** ssm, ssm-vr: projections M per sample. */
  slices: i32;
  /** dsm: the noise level. */
  sigma: f32;
  /** ncsn: number of noise levels. */
  levels: i32;
  /** ncsn: pointer to the `levels` f32 noise levels. */
  sigmas: usize;
  /** continuous: pointer to the SDE. */
  sde: SdeConfig;
  /**
   * The conditioning's block: the GaussianConfig (bit Gaussian), the FourierConfig (bit Fourier) or the MixtureConfig
   * (bit Mixture); 0 otherwise.
   */
  gaussian: usize;
}

/** A run of sampler steps on a block of particles (assembly/langevin.ts). */
@unmanaged export class SamplerConfig {
  /** ModelKindCode. */
  kind: i32;
  /** ConditioningCode bits. */
  conditioning: i32;
  /** Noise level the model is read at. */
  sigma: f32;
  /** StepMode. */
  mode: i32;
  /** Step coefficients: Affine x <- a x + b s + c z (Lm: z averaged with the next step's); Corrector a = alpha, b = snr (c unused). */
  a: f32;
  b: f32;
  c: f32;
  /** Particles in x [n, d]: particles first..first+n-1 of `total` (noise positions depend on these). */
  n: i32;
  d: i32;
  first: i32;
  total: i32;
  /** Steps to run. */
  steps: i32;
  /** Particles per model evaluation (the workspace is sized for it). */
  chunk: i32;
  /** Inpainting: f32 [d], coordinates j with mask[j] != 0 are reset to held after every step; 0: none. */
  mask: usize;
  /** Inpainting: f32 [n, d], the held values. */
  held: usize;
  /** f32 [n, d], the score at x when the caller already has it (one step, read instead of the model); 0: none. */
  given: usize;
  /**
   * The conditioning's block: the GaussianConfig (bit Gaussian), the FourierConfig (bit Fourier) or the MixtureConfig
   * (bit Mixture); 0 otherwise.
   */
  gaussian: usize;
  /**
   * The denoiser's box: f32 [d] lower and upper bounds (the particles' units) of D = x + sigma^2 s, which a VE-type model's
   * score is clamped to keep (the data's range: assembly/langevin.ts, guardDenoiser); 0: none.
   */
  lower: usize;
  upper: usize;
}

/**
 * The intra-op thread pool of a threaded build (assembly/pool.ts): one block in shared memory, read by the
 * calling thread (thread 0) and its T - 1 workers. The TS side writes the first five fields; the rest is the
 * threads' own state (zero at creation).
 */
@unmanaged export class PoolConfig {
  /** Threads T, the caller included. */
  threads: i32;
  /** Polls of a flag before a thread sleeps in atomic.wait (src/threads.ts: POOL_SPIN_MICROS, timed at start). */
  spin: i32;
  /** Multiply-adds below which a pass runs on the caller alone (src/threads.ts, SPLIT_MIN_WORK). */
  minSplitWork: i32;
  /** Jobs posted so far (counted by the caller: which passes split). */
  jobs: i32;
  /** 1 when the calling thread may sleep in atomic.wait (0 on a browser's main thread: it then only polls). */
  callerCanBlock: i32;
  /** Workspace of threads 1..T-1 for whole-chunk jobs (samplerSteps): `workspaceFloats` floats each, from here. */
  workspace: usize;
  workspaceFloats: i32;
  /** Bumped by the caller for every job (and for stop). */
  generation: i32;
  /** Workers done with the current job. */
  done: i32;
  /** The barrier between the phases of a job: arrivals, and its generation. */
  barrierCount: i32;
  barrierGeneration: i32;
  /** 1 + the id of a worker that failed (its instance trapped); 0 while all are well. */
  failed: i32;
  /** 1: workers leave their loop at the next generation. */
  stop: i32;
  /**
   * 1: the caller chooses by timing whether passes of at least minSplitWork split (assembly/pool.ts, the split's
   * trials); 0: they always split. The TS side writes it; trials and splitWins count the comparisons made and the
   * ones the split won.
   */
  adaptive: i32;
  /** Passes of each trial, and the most the winner is kept for (src/threads.ts: SPLIT_TRIAL_PASSES, SPLIT_KEEP_PASSES). */
  trialPasses: i32;
  keepPasses: i32;
  trials: i32;
  splitWins: i32;
  /** The job (a JobCode of assembly/pool.ts) and its arguments. */
  job: i32;
  a0: i32;
  a1: i32;
  a2: i32;
  a3: i32;
  a4: i32;
  a5: i32;
  a6: i32;
  a7: i32;
  a8: i32;
  a9: i32;
  a10: i32;
  a11: i32;
  a12: i32;
  a13: i32;
}
