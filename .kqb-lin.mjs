// electron/studio/native/addon.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// electron/common/errors.ts
var StudioError = class _StudioError extends Error {
  code;
  file;
  tensor;
  constructor(code, message, where = {}) {
    super(message);
    this.name = "StudioError";
    this.code = code;
    this.file = where.file;
    this.tensor = where.tensor;
  }
  toJSON() {
    return { code: this.code, message: this.message, file: this.file, tensor: this.tensor };
  }
  static fromJSON(info) {
    return new _StudioError(info.code, info.message, { file: info.file, tensor: info.tensor });
  }
};

// electron/studio/native/addon.ts
var ADDON_FILE = join("build", "Release", "mcs_native.node");
function findAddon() {
  const override = process.env.MCS_NATIVE_PATH;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate) || existsSync(candidate.replace("app.asar", "app.asar.unpacked"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new StudioError(
    "INTERNAL",
    `native addon ${ADDON_FILE} not found: run "npm install" (or "npm run build:native") to build it`
  );
}
var cached;
function native() {
  if (!cached) {
    const require2 = createRequire(import.meta.url);
    cached = require2(findAddon());
  }
  return cached;
}

// electron/studio/native/job.ts
var CODES = {
  EINVAL: "INVALID_ARGUMENT",
  EBADFILE: "BAD_FILE",
  ECANCELLED: "CANCELLED",
  ENOMEM: "OUT_OF_MEMORY",
  EINTERNAL: "INTERNAL"
};
function toStudioError(e, where = {}) {
  if (e instanceof StudioError) return e;
  const err = e;
  const code = err?.code && CODES[err.code] || (e instanceof TypeError ? "INVALID_ARGUMENT" : "INTERNAL");
  return new StudioError(code, err?.message ?? String(e), where);
}
async function runNative(opts, call, where = {}) {
  const token = new (native()).CancelToken();
  const onAbort = () => token.cancel();
  if (opts?.signal) {
    if (opts.signal.aborted) token.cancel();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
  }
  try {
    return await call({ signal: token, onProgress: opts?.onProgress });
  } catch (e) {
    throw toStudioError(e, where);
  } finally {
    opts?.signal?.removeEventListener("abort", onAbort);
  }
}

// electron/studio/engine/linear.ts
var EngineLinear = class _EngineLinear {
  constructor(l) {
    this.l = l;
  }
  l;
  /** `weight` may be null for formats that store none (pack-quantized, sparse-24): pass the companions in `extra`. */
  static async create(weight, opts = {}) {
    const { signal, onProgress, ...rest } = opts;
    return new _EngineLinear(await runNative({ signal, onProgress }, (n) => native().engineLinear(weight, { ...n, ...rest }), { tensor: weight?.name ?? opts.name }));
  }
  /** y[T, out] = x[T, in]·Wᵀ (+ b); `out` reuses a caller's buffer. */
  forward(x, T, opts = {}) {
    return runNative(opts, (n) => this.l.forward(x, T, { ...n, out: opts.out ? { y: opts.out } : void 0 }));
  }
  info() {
    return this.l.info();
  }
  stats() {
    return this.l.stats();
  }
  resetStats() {
    this.l.resetStats();
  }
};

// electron/studio/quant/gguf.ts
var GGUF_QUANT_TYPES = [
  "Q8_0",
  "Q4_0",
  "Q4_1",
  "Q5_0",
  "Q5_1",
  "Q2_K",
  "Q3_K",
  "Q4_K",
  "Q5_K",
  "Q6_K",
  "Q8_K",
  "IQ4_NL",
  "IQ4_XS"
];
var GGUF_IMPORTANCE_TYPES = new Set(GGUF_QUANT_TYPES.filter((t) => t !== "Q8_0" && t !== "Q8_K"));
async function quantizeGguf(t, type, opts = {}) {
  const { signal, onProgress, out, importance } = opts;
  const where = { tensor: t.name };
  if (out) return runNative({ signal, onProgress }, (n) => native().ggufQuantize(t, type, { ...n, out, importance }), where);
  return Buffer.from(await runNative({ signal, onProgress }, (n) => native().ggufQuantize(t, type, { ...n, importance }), where));
}

// ../../../tmp/kqb/lin.ts
var N = 4096;
var K = 4096;
var w = new Float32Array(N * K).map(() => (Math.random() - 0.5) * 0.04);
var types = (process.argv[2] ?? "Q4_0,Q4_K,Q6_K").split(",");
native().setThreads(1);
for (const type of types) {
  const q = await quantizeGguf({ dtype: "F32", shape: [N, K], data: w }, type);
  const lin = await EngineLinear.create({ dtype: type, shape: [N, K], data: q }, { name: "b" });
  for (const T of [1, 16]) {
    const x = new Float32Array(T * K).map(() => Math.random() - 0.5);
    await lin.forward(x, T);
    let best = Infinity;
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      await lin.forward(x, T);
      best = Math.min(best, performance.now() - t0);
    }
    console.log(`${type} T=${T}: ${best.toFixed(2)} ms, ${(q.length / best / 1e6).toFixed(2)} GB/s weights, ${(T * N * K * 2 / best / 1e6).toFixed(1)} GFLOP/s`);
  }
}
