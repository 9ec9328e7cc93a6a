/** The raw functions the WASM module exports (pointers are byte addresses, sizes are element counts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  isSimdBuild(): number;
  rngUniform(state: number, out: number, n: number, lo: number, hi: number): void;
  rngNormal(state: number, out: number, n: number, mean: number, std: number): void;
  rngRademacher(state: number, out: number, n: number): void;
  gemm(a: number, b: number, bias: number, c: number, M: number, K: number, N: number, accumulate: number): void;
  transpose(src: number, dst: number, R: number, C: number): void;
  addColumnSums(src: number, out: number, M: number, N: number): void;
  denseForward(x: number, w: number, b: number, y: number, B: number, I: number, O: number): void;
  denseBackward(
    x: number,
    w: number,
    dy: number,
    dx: number,
    dw: number,
    db: number,
    B: number,
    I: number,
    O: number,
    scratch: number,
  ): void;
  activationForward(kind: number, a: number, h: number, n: number): void;
  activationDerivatives(kind: number, a: number, d1: number, d2: number, d3: number, n: number): void;
  activationBackward(kind: number, a: number, g: number, n: number): void;
  mlpParamCount(dims: number, L: number): number;
  mlpWorkspaceFloats(dims: number, L: number, B: number): number;
  mlpForward(dims: number, L: number, act: number, params: number, x: number, out: number, B: number, ws: number): void;
  mlpBackward(
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    gout: number,
    gparams: number,
    gx: number,
    B: number,
    ws: number,
  ): void;
  mlpJetWorkspaceFloats(dims: number, L: number, B: number, k: number, order: number): number;
  mlpJetForward(
    dims: number,
    L: number,
    act: number,
    params: number,
    X: number,
    Y: number,
    B: number,
    k: number,
    order: number,
    ws: number,
  ): void;
  mlpJetBackward(
    dims: number,
    L: number,
    act: number,
    params: number,
    X: number,
    gY: number,
    gparams: number,
    gX: number,
    B: number,
    k: number,
    order: number,
    ws: number,
  ): void;
  modelWorkspaceFloats(dims: number, L: number, B: number): number;
  modelScore(
    kind: number,
    cond: number,
    sigma: number,
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    B: number,
    out: number,
    ws: number,
  ): void;
  modelEnergy(
    cond: number,
    sigma: number,
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    B: number,
    out: number,
    ws: number,
  ): void;
  modelDivergenceWorkspaceFloats(kind: number, dims: number, L: number, B: number, M: number): number;
  modelScoreDivergence(
    kind: number,
    cond: number,
    sigma: number,
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    B: number,
    probes: number,
    M: number,
    outScore: number,
    outDiv: number,
    ws: number,
  ): void;
  objectiveWorkspaceFloats(cfg: number, dims: number, L: number, B: number): number;
  objectiveLossGrad(
    cfg: number,
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    B: number,
    rng: number,
    gparams: number,
    ws: number,
  ): number;
  adamStep(
    params: number,
    grads: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    t: number,
  ): void;
  fillZero(out: number, n: number): void;
  scaleAdd(dst: number, a: number, src: number, b: number, n: number): void;
  gatherRandomRows(rng: number, data: number, N: number, d: number, batch: number, B: number): void;
  samplerSteps(
    kind: number,
    cond: number,
    sigma: number,
    dims: number,
    L: number,
    act: number,
    params: number,
    x: number,
    n: number,
    d: number,
    i0: number,
    nTotal: number,
    steps: number,
    mode: number,
    a: number,
    b: number,
    c: number,
    mask: number,
    held: number,
    rng: number,
    ws: number,
    score: number,
    B: number,
  ): void;
  datasetSample(id: number, rng: number, out: number, n: number): number;
  datasetLogDensityScore(id: number, x: number, n: number, logp: number, score: number, noise: number): number;
  datasetComponents(id: number, out: number, capacity: number): number;
  mulAddCeiling(iterations: number, m: number, c: number): number;
}
