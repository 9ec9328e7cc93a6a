import { describe, expect, it } from 'vitest';
import { tf, ACTIVATIONS, activation, sigmoid, exp, tanh, type Activation } from './index.js';
import { dphi64, phi64, sigmoid64 } from './testing/ref64.js';

// Points away from the elu kink at 0; includes the large-|a| tails.
const POINTS = [-6, -2.5, -1.1, -0.4, -0.05, 0.07, 0.35, 0.9, 1.7, 3.2, 7];

function nthDerivative(f: (a: tf.Tensor) => tf.Tensor, order: number): (a: tf.Tensor) => tf.Tensor {
  let g = f;
  for (let k = 0; k < order; k++) {
    const inner = g;
    g = (a) => tf.grad((t: tf.Tensor) => inner(t))(a);
  }
  return g;
}

function evalAt(f: (a: tf.Tensor) => tf.Tensor, points: number[]): Float32Array {
  return tf.tidy(() => f(tf.tensor1d(points, 'float32')).dataSync() as Float32Array);
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= abs + rel * Math.abs(want[i]!))) {
      expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err})`);
    }
  }
}

describe('activations', () => {
  for (const act of ACTIVATIONS) {
    it(`${act}: forward equals the float64 definition`, () => {
      const got = evalAt(activation(act), POINTS);
      expectClose(
        got,
        POINTS.map((a) => Math.fround(phi64(act, Math.fround(a)))),
        2e-7,
        1e-7,
        `${act}`,
      );
    });

    for (const order of [1, 2, 3] as const) {
      it(`${act}: derivative of order ${order} by nested tf.grad equals the closed form`, () => {
        const got = evalAt(nthDerivative(activation(act), order), POINTS);
        const want = POINTS.map((a) => dphi64(act, Math.fround(a), order));
        expectClose(got, want, 2e-5, 2e-6, `${act}^(${order})`);
      });
    }

    it(`${act}: closed forms agree with float64 finite differences`, () => {
      const h = 1e-4;
      for (const a of POINTS) {
        const fd = (f: (t: number) => number) => (-f(a + 2 * h) + 8 * f(a + h) - 8 * f(a - h) + f(a - 2 * h)) / (12 * h);
        expect(Math.abs(fd((t) => phi64(act, t)) - dphi64(act, a, 1))).toBeLessThan(1e-9);
        expect(Math.abs(fd((t) => dphi64(act, t, 1)) - dphi64(act, a, 2))).toBeLessThan(1e-9);
        expect(Math.abs(fd((t) => dphi64(act, t, 2)) - dphi64(act, a, 3))).toBeLessThan(1e-9);
      }
    });

    it(`${act}: mixed second derivative through the input and the incoming gradient`, () => {
      // g(w) = d/da phi(w a) at a = a0 is w phi'(w a0); dg/dw = phi'(w a0) + w a0 phi''(w a0).
      const phi = activation(act);
      const w0 = 0.8;
      for (const a0 of [-1.3, 0.6]) {
        const got = tf.tidy(() => {
          const g = (w: tf.Tensor) => tf.grad((a: tf.Tensor) => phi(tf.mul(w, a)))(tf.scalar(a0));
          return tf.grad(g)(tf.scalar(w0)).dataSync()[0]!;
        });
        const u = w0 * a0;
        const want = dphi64(act, u, 1) + w0 * a0 * dphi64(act, u, 2);
        expect(Math.abs(got - want)).toBeLessThan(1e-5 + 1e-5 * Math.abs(want));
      }
    });
  }

  it('elu derivatives at the kink a = 0 follow the WASM core convention (exp(0) = 1 for every order)', () => {
    const phi = activation('elu');
    for (const order of [1, 2, 3]) expect(evalAt(nthDerivative(phi, order), [0])[0]).toBe(1);
  });

  it('sigmoid, exp and tanh wrappers are exact to the third derivative', () => {
    const cases: Array<[string, (a: tf.Tensor) => tf.Tensor, (a: number) => number[]]> = [
      [
        'sigmoid',
        sigmoid,
        (a) => {
          const s = sigmoid64(a),
            s1 = s * (1 - s),
            s2 = s1 * (1 - 2 * s),
            s3 = s1 * (1 - 6 * s + 6 * s * s);
          return [s, s1, s2, s3];
        },
      ],
      ['exp', exp, (a) => [Math.exp(a), Math.exp(a), Math.exp(a), Math.exp(a)]],
      ['tanh', tanh, (a) => [Math.tanh(a), dphi64('tanh', a, 1), dphi64('tanh', a, 2), dphi64('tanh', a, 3)]],
    ];
    const pts = [-2.2, -0.3, 0.45, 1.9];
    for (const [name, f, closed] of cases) {
      for (let order = 0; order <= 3; order++) {
        const got = evalAt(nthDerivative(f, order), pts);
        expectClose(
          got,
          pts.map((a) => closed(Math.fround(a))[order]!),
          2e-5,
          2e-6,
          `${name}^(${order})`,
        );
      }
    }
  });

  it('rejects an unknown activation', () => {
    expect(() => activation('relu' as Activation)).toThrow(/unknown activation 'relu'/);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (const act of ACTIVATIONS) evalAt(nthDerivative(activation(act), 3), POINTS);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('why the wrappers exist (tfjs 4.22 behaviour)', () => {
  it("tfjs's built-in tanh gives a wrong mixed second derivative; the wrapper gives the right one", () => {
    // d/dw [ d/da tanh(w a) ] at a = 0.6, w = 0.8 is tanh'(u) + u tanh''(u), u = w a.
    const u = 0.48;
    const want = dphi64('tanh', u, 1) + u * dphi64('tanh', u, 2);
    const mixed = (f: (t: tf.Tensor) => tf.Tensor) =>
      tf.tidy(
        () =>
          tf
            .grad((w: tf.Tensor) => tf.grad((a: tf.Tensor) => f(tf.mul(w, a)))(tf.scalar(0.6)))(tf.scalar(0.8))
            .dataSync()[0]!,
      );
    expect(Math.abs(mixed(tanh) - want)).toBeLessThan(1e-5);
    expect(Math.abs(mixed((t) => tf.tanh(t)) - want)).toBeGreaterThan(0.1);
  });
});
