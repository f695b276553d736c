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

// electron/studio/models/dtypes.ts
var GGML_BLOCKS = {
  Q4_0: { elements: 32, bytes: 18, ggmlType: 2 },
  Q4_1: { elements: 32, bytes: 20, ggmlType: 3 },
  Q5_0: { elements: 32, bytes: 22, ggmlType: 6 },
  Q5_1: { elements: 32, bytes: 24, ggmlType: 7 },
  Q8_0: { elements: 32, bytes: 34, ggmlType: 8 },
  Q8_1: { elements: 32, bytes: 36, ggmlType: 9 },
  Q2_K: { elements: 256, bytes: 84, ggmlType: 10 },
  Q3_K: { elements: 256, bytes: 110, ggmlType: 11 },
  Q4_K: { elements: 256, bytes: 144, ggmlType: 12 },
  Q5_K: { elements: 256, bytes: 176, ggmlType: 13 },
  Q6_K: { elements: 256, bytes: 210, ggmlType: 14 },
  Q8_K: { elements: 256, bytes: 292, ggmlType: 15 },
  IQ4_NL: { elements: 32, bytes: 18, ggmlType: 20 },
  IQ4_XS: { elements: 256, bytes: 136, ggmlType: 23 }
};
var GGML_PLAIN_IDS = {
  F32: 0,
  F16: 1,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  BF16: 30
};
var BY_GGML_ID = new Map([
  ...Object.entries(GGML_PLAIN_IDS).map(([d, id]) => [id, d]),
  ...Object.entries(GGML_BLOCKS).map(([d, b]) => [b.ggmlType, d])
]);

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
function ggufTensorBytes(type, shape) {
  const { elements, bytes } = GGML_BLOCKS[type];
  const cols2 = shape.length ? shape[shape.length - 1] : 1;
  if (cols2 % elements !== 0) throw new RangeError(`rows of ${cols2} elements are not a multiple of the ${type} block of ${elements}`);
  return shape.reduce((a2, b) => a2 * b, 1) / elements * bytes;
}

// ../../../tmp/kqb/qcpu.ts
var a = native();
a.setThreads(1);
var rows = 64;
var cols = 16384;
var n = rows * cols;
var cos = new Float32Array(n);
for (let i = 0; i < n; i++) cos[i] = Math.fround(0.1 + Math.fround(2 * Math.fround(Math.cos(i))));
var s = 7;
var gauss = new Float32Array(n).map(() => {
  s = s * 1103515245 + 12345 >>> 0;
  const u = (s + 0.5) / 4294967296;
  s = s * 1103515245 + 12345 >>> 0;
  const v = (s + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(6.2832 * v) * 0.02;
});
var imp = new Float32Array(cols).map((_, j) => Math.exp(2 * Math.sin(j * 0.37)) * 0.3);
var cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
function memcpy() {
  const src = Buffer.alloc(64 << 20, 1), dst = Buffer.alloc(64 << 20);
  src.copy(dst);
  let t = Infinity;
  for (let i = 0; i < 8; i++) {
    const t0 = cpu();
    src.copy(dst);
    t = Math.min(t, cpu() - t0);
  }
  return (64 << 20) / t / 1e6;
}
async function best(fn, reps) {
  await fn();
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = cpu();
    await fn();
    t = Math.min(t, cpu() - t0);
  }
  return t;
}
var mc = memcpy();
console.log(`memcpy ${mc.toFixed(2)} GB/s (1 thread, CPU time)`);
for (const type of (process.argv[2] ?? "Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,IQ4_NL,IQ4_XS,Q8_K").split(",")) {
  const cells = [];
  for (const [label, data, opts, sub] of [
    ["tqp-data", cos, {}, 1],
    ["tqp-data ref", cos, { reference: true }, 8],
    ["gauss", gauss, {}, 1],
    ["gauss ref", gauss, { reference: true }, 8],
    ["gauss imatrix", gauss, { importance: imp }, 1],
    ...type === "IQ4_NL" ? [["tqp-data row-ref", cos, { iq4NlRowRef: true }, 1]] : []
  ]) {
    if (type === "Q8_K" && label.includes("imatrix")) continue;
    const r = rows / sub, o = Buffer.alloc(ggufTensorBytes(type, [r, cols]));
    const t = await best(() => a.ggufQuantize({ dtype: "F32", shape: [r, cols], data: data.subarray(0, r * cols) }, type, { ...opts, out: o }), 7);
    const gbps = r * cols * 4 / t / 1e6;
    cells.push(`${label}=${gbps.toFixed(3)}`);
  }
  console.log(type.padEnd(7), cells.join(" "));
}
