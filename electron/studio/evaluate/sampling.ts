// Next-token choice from logits: greedy, or temperature → top-k → top-p
// (transformers' order of logits warpers) and a draw from a seeded PRNG, so a
// seed gives the same text on every machine.

export interface SamplingOptions {
  /** 0 (default): greedy. */
  temperature?: number;
  /** Keep the k most likely tokens (0: all). */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (1: all). */
  topP?: number;
  seed?: number;
}

/** xoshiro128** seeded through splitmix32: small, fast, and the same everywhere. */
export class Prng {
  private s: Uint32Array;
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = Uint32Array.of(next(), next(), next(), next());
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r / 4294967296;
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Index of the largest logit (the lowest index among ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** log-softmax value of one entry (numerically stable). */
export function logProb(logits: ArrayLike<number>, id: number): number {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > m) m = logits[i];
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - m);
  return logits[id] - m - Math.log(z);
}

/** The candidates left after temperature, top-k and top-p, with their probabilities (descending). */
export function candidates(logits: ArrayLike<number>, opts: SamplingOptions): { ids: number[]; probs: number[] } {
  const t = opts.temperature ?? 0;
  let ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const k = opts.topK ?? 0;
  if (k > 0 && k < ids.length) ids = ids.slice(0, k);
  const m = logits[ids[0]];
  let probs = ids.map((i) => Math.exp((logits[i] - m) / t));
  let z = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / z);
  const p = opts.topP ?? 1;
  if (p < 1) {
    let cum = 0, keep = 0;
    while (keep < probs.length && cum < p) cum += probs[keep++];
    ids = ids.slice(0, Math.max(1, keep));
    probs = probs.slice(0, ids.length);
    z = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((q) => q / z);
  }
  return { ids, probs };
}

export class Sampler {
  private readonly rng: Prng;
  constructor(private readonly opts: SamplingOptions = {}) {
    const t = opts.temperature ?? 0;
    if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`temperature must be ≥ 0, got ${t}`);
    if (opts.topK !== undefined && (!Number.isInteger(opts.topK) || opts.topK < 0)) throw new RangeError(`top-k must be a whole number ≥ 0, got ${opts.topK}`);
    if (opts.topP !== undefined && !(opts.topP > 0 && opts.topP <= 1)) throw new RangeError(`top-p must be in (0, 1], got ${opts.topP}`);
    this.rng = new Prng(opts.seed ?? 0);
  }

  get greedy(): boolean {
    return (this.opts.temperature ?? 0) === 0;
  }

  next(logits: ArrayLike<number>): number {
    if (this.greedy) return argmax(logits);
    const { ids, probs } = candidates(logits, this.opts);
    const r = this.rng.next();
    let cum = 0;
    for (let i = 0; i < ids.length; i++) {
      cum += probs[i];
      if (r < cum) return ids[i];
    }
    return ids[ids.length - 1];
  }
}
