#!/usr/bin/env python3
"""PyTorch CPU reference for the scorefield benchmarks (issue 7).

The same model as @scorefield/core-math: an MLP [d_in, h, h, h, d_out] with SiLU after every hidden
layer, read as a score network s(x) (d_out = d) or an energy network E(x) (d_out = 1, s = -grad_x E);
noise-conditional models ('both' conditioning) get c(sigma) = [l, sin(l/2), cos(l/2), sin l, cos l,
sin 2l, cos 2l], l = ln sigma, concatenated to the input and their output divided by sigma. The same
data (10,000 toy 2-D points, or d-dimensional Gaussian points), batch, Adam optimiser and objective
formulas (batch means):
  esm      tr(grad_x s) + 1/2 |s|^2, the exact trace by d backward passes (autograd)
  ssm      v^T (grad_x s) v + 1/2 (v^T s)^2, one Gaussian projection per point
  ssm-vr   v^T (grad_x s) v + 1/2 |s|^2
  dsm      1/2 |s(x + sigma z) + z / sigma|^2, sigma = 0.1
  ncsn     sigma_i^2 / 2 |s(x + sigma_i z; sigma_i) + z / sigma_i|^2, 10 geometric levels 1 .. 0.01, i per sample
  ve, vp   continuous DSM, t ~ U(eps, 1), x~ = alpha(t) x + sigma(t) z, lambda = sigma(t)^2
and the annealed Langevin sampler x <- x + (a/2) s(x; sigma_i) + sqrt(a) z, a = eps sigma_i^2 / sigma_L^2.

Usage:
  python3 bench.py --serve            JSON lines on stdin -> JSON lines on stdout (used by the Node runner)
  python3 bench.py --case JSON [--threads N] [--seconds S]
                                      one case: prints {"rate": units/s, ...} as JSON on stdout
  python3 bench.py --info             {"torch": version} (exit 3 with a notice on stderr if torch is missing)
Requests: {"op": "warmup" | "round", "case": {...}, "threads": 1 | 2, "ms": 1000}; replies {"callMs": ...} or
{"rate": ...}, or {"error": "..."}. Cases: {"kind": "train", "objective": "esm" | "ssm" | "ssm-vr" | "dsm" |
"ncsn" | "continuous-ve" | "continuous-vp", "model": "score" | "energy", "d": 2, "width": 128, "batch": 128}
(units: steps) and {"kind": "sample", "model": "score" | "energy", "n": 10000, "width": 128, "levels": 10,
"steps": 2} (units: particle-steps). Run with OMP_WAIT_POLICY=PASSIVE (two threads stall without it here).
Time to quality (the Node runner measures the samples' MMD): {"op": "qstart", "id": name, "data": [x0, y0, x1, ...],
"seed": s} (standardised 2-D points; a fresh dsm score model of training seed s, 1 by default),
{"op": "qtrain", "id": name, "steps": k} -> {"seconds"},
{"op": "qsample", "id": name, "n": 2000, "steps": 1000, "alpha": 1e-3, "seed": s} -> {"seconds", "samples": [...]}:
Langevin x <- x + (alpha/2) s(x) + sqrt(alpha) z from N(0, I) under torch.no_grad, as scorefield's default sampler
for a dsm model.
"""
import json
import math
import sys
import time

try:
    import torch
except ImportError:  # the Node runner prints a notice and skips PyTorch
    torch = None

EMBED = 7
SIGMA_MIN, SIGMA_MAX, BETA_MIN, BETA_MAX, EPS = 0.01, 5.0, 0.1, 20.0, 1e-5


def geometric(hi, lo, n):
    return [hi * (lo / hi) ** (i / (n - 1)) for i in range(n)]


NCSN_SIGMAS = geometric(1.0, 0.01, 10)


def embedding(sigma):
    """c(sigma) [B, 7] for sigma [B]."""
    l = torch.log(sigma)
    return torch.stack([l, torch.sin(l / 2), torch.cos(l / 2), torch.sin(l), torch.cos(l), torch.sin(2 * l), torch.cos(2 * l)], 1)


def silu_composed(h):
    """SiLU as x * sigmoid(x): its double backward is plain elementwise ops, faster than F.silu's for some cases."""
    return h * torch.sigmoid(h)


class Model(torch.nn.Module if torch else object):
    def __init__(self, d, width, kind, conditioned):
        super().__init__()
        self.d, self.kind, self.conditioned = d, kind, conditioned
        self.silu = torch.nn.functional.silu
        dims = [d + (EMBED if conditioned else 0), width, width, width, d if kind == "score" else 1]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1))

    def net(self, x, sigma):
        h = torch.cat([x, embedding(sigma)], 1) if self.conditioned else x
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = self.silu(h)
        return h / sigma[:, None] if self.conditioned else h

    def score(self, x, sigma, create_graph):
        """s(x; sigma); x must require grad for energy models (s = -grad_x E)."""
        if self.kind == "score":
            return self.net(x, sigma)
        e = self.net(x, sigma).sum()
        return -torch.autograd.grad(e, x, create_graph=create_graph)[0]


def toy_data(n, d, gen):
    if d == 2:  # a three-component Gaussian mixture in the plane
        centers = torch.tensor([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
        idx = torch.randint(0, 3, (n,), generator=gen)
        return centers[idx] + 0.5 * torch.randn(n, 2, generator=gen)
    return torch.randn(n, d, generator=gen)


def levels(objective, B, gen):
    """alpha, sigma, lambda [B] of the denoising objectives."""
    if objective == "dsm":
        s = torch.full((B,), 0.1)
        return torch.ones(B), s, torch.ones(B)
    if objective == "ncsn":
        sig = torch.tensor(NCSN_SIGMAS)[torch.randint(0, len(NCSN_SIGMAS), (B,), generator=gen)]
        return torch.ones(B), sig, sig * sig
    t = EPS + (1 - EPS) * torch.rand(B, generator=gen)
    if objective == "continuous-ve":
        sig = SIGMA_MIN * (SIGMA_MAX / SIGMA_MIN) ** t
        return torch.ones(B), sig, sig * sig
    integral = BETA_MIN * t + 0.5 * (BETA_MAX - BETA_MIN) * t * t
    return torch.exp(-0.5 * integral), torch.sqrt(-torch.expm1(-integral)), -torch.expm1(-integral)


def loss_fn(model, objective, x, gen):
    B, d = x.shape
    if objective in ("esm", "ssm", "ssm-vr"):
        x = x.clone().requires_grad_(True)
        one = torch.ones(B)
        s = model.score(x, one, create_graph=True)
        if objective == "esm":
            trace = torch.zeros(B)
            for i in range(d):  # one backward pass per dimension
                trace = trace + torch.autograd.grad(s[:, i].sum(), x, create_graph=True)[0][:, i]
            return (trace + 0.5 * (s * s).sum(1)).mean()
        v = torch.randn(B, d, generator=gen)
        vs = (v * s).sum(1)
        jv = torch.autograd.grad(vs.sum(), x, create_graph=True)[0]  # (grad s)^T v per point
        vjv = (jv * v).sum(1)
        second = 0.5 * vs * vs if objective == "ssm" else 0.5 * (s * s).sum(1)
        return (vjv + second).mean()
    alpha, sigma, lam = levels(objective, B, gen)
    z = torch.randn(B, d, generator=gen)
    xt = alpha[:, None] * x + sigma[:, None] * z
    if model.kind == "energy":
        xt.requires_grad_(True)
    s = model.score(xt, sigma, create_graph=True)
    r = s + z / sigma[:, None]
    return (0.5 * lam * (r * r).sum(1)).mean()


class TrainCase:
    def __init__(self, c):
        self.gen = torch.Generator().manual_seed(1)
        torch.manual_seed(1)
        self.objective, self.batch = c["objective"], c["batch"]
        conditioned = self.objective in ("ncsn", "continuous-ve", "continuous-vp")
        self.model = Model(c.get("d", 2), c.get("width", 128), c["model"], conditioned)
        self.data = toy_data(10000, c.get("d", 2), self.gen)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-4)
        self.units = 1

    def call(self):
        idx = torch.randint(0, self.data.shape[0], (self.batch,), generator=self.gen)
        self.opt.zero_grad(set_to_none=True)
        loss = loss_fn(self.model, self.objective, self.data[idx], self.gen)
        loss.backward()
        self.opt.step()


class SampleCase:
    """One call = a whole annealed Langevin run (levels x steps) on n particles from N(0, I)."""

    def __init__(self, c):
        torch.manual_seed(1)
        self.gen = torch.Generator().manual_seed(2)
        self.n, self.d = c.get("n", 10000), c.get("d", 2)
        self.model = Model(self.d, c.get("width", 128), c["model"], True)
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.sigmas = geometric(1.0, 0.01, c.get("levels", 10))
        self.steps, self.eps = c.get("steps", 2), c.get("eps", 2e-5)
        self.units = self.n * len(self.sigmas) * self.steps

    def call(self):
        x = torch.randn(self.n, self.d, generator=self.gen)
        last = self.sigmas[-1]
        for s in self.sigmas:
            a = self.eps * s * s / (last * last)
            sig = torch.full((self.n,), s)
            for _ in range(self.steps):
                if self.model.kind == "score":
                    with torch.no_grad():
                        sc = self.model.score(x, sig, False)
                else:
                    x.requires_grad_(True)
                    sc = self.model.score(x, sig, False)
                    x = x.detach()
                x = x + (a / 2) * sc + math.sqrt(a) * torch.randn(self.n, self.d, generator=self.gen)
        return x


class QualityCase:
    """Trains the default dsm score model (MLP 2-128-128-128 silu, sigma 0.1, batch 128, Adam lr 1e-3) in chunks."""

    def __init__(self, data, seed):
        torch.manual_seed(seed)
        self.gen = torch.Generator().manual_seed(seed)
        self.data = torch.tensor(data, dtype=torch.float32).reshape(-1, 2)
        self.model = Model(2, 128, "score", False)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def train(self, steps):
        t0 = time.perf_counter()
        for _ in range(steps):
            idx = torch.randint(0, self.data.shape[0], (128,), generator=self.gen)
            self.opt.zero_grad(set_to_none=True)
            loss_fn(self.model, "dsm", self.data[idx], self.gen).backward()
            self.opt.step()
        return time.perf_counter() - t0

    def sample(self, n, steps, alpha, seed):
        t0 = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        one = torch.ones(n)
        with torch.no_grad():
            x = torch.randn(n, 2, generator=gen)
            for _ in range(steps):
                x = x + (alpha / 2) * self.model.net(x, one) + math.sqrt(alpha) * torch.randn(n, 2, generator=gen)
        return time.perf_counter() - t0, x.reshape(-1).tolist()


_quality = {}
_cases = {}


def get_case(c):
    key = json.dumps(c, sort_keys=True)
    if key not in _cases:
        _cases.clear()  # one case at a time: keeps the memory flat
        _cases[key] = TrainCase(c) if c["kind"] == "train" else SampleCase(c)
        _cases[key].calls_per_ms = None
    return _cases[key]


def warmup(case, ms):
    """Warms up; a training case also picks the faster of the two standard SiLU formulations (F.silu, x sigmoid(x))."""
    if isinstance(case, TrainCase) and not getattr(case, "silu_chosen", False):
        rates = []
        for silu in (torch.nn.functional.silu, silu_composed):
            case.model.silu = silu
            case.call()
            t0 = time.perf_counter()
            calls = 0
            while (time.perf_counter() - t0) * 1000 < ms / 4 or calls < 2:
                case.call()
                calls += 1
            rates.append(calls / (time.perf_counter() - t0))
        case.model.silu = torch.nn.functional.silu if rates[0] >= rates[1] else silu_composed
        case.silu_chosen = True
    t0 = time.perf_counter()
    calls = 0
    while True:
        case.call()
        calls += 1
        if (time.perf_counter() - t0) * 1000 >= ms:
            break
    case.call_ms = (time.perf_counter() - t0) * 1000 / calls
    return case.call_ms


def timed_round(case, ms):
    n = max(1, round(ms / getattr(case, "call_ms", ms)))
    t0 = time.perf_counter()
    for _ in range(n):
        case.call()
    dt = time.perf_counter() - t0
    case.call_ms = dt * 1000 / n
    return n * case.units / dt


def handle(req):
    torch.set_num_threads(int(req.get("threads", 1)))
    op = req["op"]
    if op == "info":
        return {"torch": torch.__version__, "threads": torch.get_num_threads()}
    if op == "qstart":
        _quality.clear()
        _quality[req["id"]] = QualityCase(req["data"], int(req.get("seed", 1)))
        return {}
    if op == "qtrain":
        return {"seconds": _quality[req["id"]].train(req["steps"])}
    if op == "qsample":
        seconds, samples = _quality[req["id"]].sample(req["n"], req["steps"], req["alpha"], req["seed"])
        return {"seconds": seconds, "samples": samples}
    case = get_case(req["case"])
    if op == "warmup":
        return {"callMs": warmup(case, req.get("ms", 1000))}
    if op == "round":
        return {"rate": timed_round(case, req.get("ms", 400))}
    raise ValueError(f"unknown op {op}")


def main(argv):
    if torch is None:
        print("notice: PyTorch is not installed for this python3 (apt-get install python3-torch); skipping it", file=sys.stderr)
        return 3
    if "--info" in argv:
        print(json.dumps({"torch": torch.__version__}))
        return 0
    if "--serve" in argv:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                out = handle(json.loads(line))
            except Exception as e:  # reported to the runner, which records the error
                out = {"error": f"{type(e).__name__}: {e}"}
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
        return 0
    if "--case" in argv:
        c = json.loads(argv[argv.index("--case") + 1])
        threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1
        seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 0.4
        handle({"op": "warmup", "case": c, "threads": threads, "ms": 1000})
        rates = [handle({"op": "round", "case": c, "threads": threads, "ms": seconds * 1000})["rate"] for _ in range(3)]
        print(json.dumps({"case": c, "threads": threads, "rate": max(rates), "rounds": rates, "torch": torch.__version__}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
