import type { Core, Rng } from './core.js';
import type { F32Buffer, I32Buffer } from './memory.js';
import { activationCode, type Activation } from './activation.js';
import { InputError } from './errors.js';
import { expectInt, expectLength } from './validate.js';

/**
 * The shape of an MLP: widths [d_in, h_1, ..., d_out] and the activation after each hidden layer.
 * Parameters are one f32 vector: for each layer l, W_l [dims[l], dims[l+1]] (input-major), then b_l.
 */
export class MlpLayout {
  readonly dimsBuf: I32Buffer;
  readonly layers: number;
  readonly paramCount: number;
  readonly act: number;

  constructor(
    readonly core: Core,
    readonly dims: readonly number[],
    readonly activation: Activation,
  ) {
    if (dims.length < 2) throw new InputError(`MlpLayout: need at least input and output widths, got [${dims.join(', ')}]`);
    dims.forEach((d, i) => expectInt('MlpLayout', `dims[${i}]`, d));
    this.act = activationCode(activation);
    this.layers = dims.length - 1;
    this.dimsBuf = core.i32(dims);
    this.paramCount = core.exports.mlpParamCount(this.dimsBuf.ptr, this.layers);
  }

  get inputs(): number {
    return this.dims[0];
  }

  get outputs(): number {
    return this.dims[this.layers];
  }

  /** Workspace floats for a forward + backward pass at this batch size. */
  workspaceFloats(batch: number): number {
    expectInt('mlpWorkspaceFloats', 'batch', batch);
    return this.core.exports.mlpWorkspaceFloats(this.dimsBuf.ptr, this.layers, batch);
  }

  /** Offsets of W_l and b_l in the parameter vector, per layer. */
  paramOffsets(): { w: number; b: number; inputs: number; outputs: number }[] {
    const out = [];
    let off = 0;
    for (let l = 0; l < this.layers; l++) {
      const inputs = this.dims[l],
        outputs = this.dims[l + 1];
      out.push({ w: off, b: off + inputs * outputs, inputs, outputs });
      off += inputs * outputs + outputs;
    }
    return out;
  }

  /** PyTorch's nn.Linear default: W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn layer by layer from rng. */
  initParams(rng: Rng, params: F32Buffer): void {
    expectLength('initParams', 'params', params, this.paramCount, 'paramCount');
    this.core.scope((s) => {
      const scratch = s.f32(Math.max(...this.paramOffsets().map((o) => o.inputs * o.outputs + o.outputs)));
      for (const o of this.paramOffsets()) {
        const n = o.inputs * o.outputs + o.outputs;
        const bound = 1 / Math.sqrt(o.inputs);
        this.core.exports.rngUniform(rng.ptr, scratch.ptr, n, -bound, bound);
        params.view.set(scratch.view.subarray(0, n), o.w);
      }
    });
  }

  /** out[B, d_out] = MLP(x[B, d_in]); keeps activations in ws for {@link backward}. */
  forward(params: F32Buffer, x: F32Buffer, out: F32Buffer, batch: number, ws: F32Buffer): void {
    this.check('mlpForward', params, x, batch, ws);
    expectLength('mlpForward', 'out', out, batch * this.outputs, `batch*outputs ${batch}*${this.outputs}`);
    this.core.exports.mlpForward(this.dimsBuf.ptr, this.layers, this.act, params.ptr, x.ptr, out.ptr, batch, ws.ptr);
  }

  /**
   * After {@link forward} on the same x and ws: gparams += d<gout, out>/dparams, and gx = d<gout, out>/dx
   * when gx is given. gout is [B, d_out].
   */
  backward(params: F32Buffer, x: F32Buffer, gout: F32Buffer, gparams: F32Buffer, gx: F32Buffer | null, batch: number, ws: F32Buffer): void {
    this.check('mlpBackward', params, x, batch, ws);
    expectLength('mlpBackward', 'gout', gout, batch * this.outputs, `batch*outputs ${batch}*${this.outputs}`);
    expectLength('mlpBackward', 'gparams', gparams, this.paramCount, 'paramCount');
    if (gx) expectLength('mlpBackward', 'gx', gx, batch * this.inputs, `batch*inputs ${batch}*${this.inputs}`);
    this.core.exports.mlpBackward(
      this.dimsBuf.ptr,
      this.layers,
      this.act,
      params.ptr,
      x.ptr,
      gout.ptr,
      gparams.ptr,
      gx?.ptr ?? 0,
      batch,
      ws.ptr,
    );
  }

  free(): void {
    this.dimsBuf.free();
  }

  private check(kernel: string, params: F32Buffer, x: F32Buffer, batch: number, ws: F32Buffer): void {
    expectInt(kernel, 'batch', batch);
    expectLength(kernel, 'params', params, this.paramCount, 'paramCount');
    expectLength(kernel, 'x', x, batch * this.inputs, `batch*inputs ${batch}*${this.inputs}`);
    expectLength(kernel, 'ws', ws, this.workspaceFloats(batch), `workspaceFloats(${batch})`, true);
  }
}
