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

// ../../../tmp/kqb/q3.ts
var a = native();
a.setThreads(1);
var rows = 256;
var cols = 16384;
var n = rows * cols;
var cos = new Float32Array(n);
for (let i = 0; i < n; i++) cos[i] = Math.fround(0.1 + Math.fround(2 * Math.fround(Math.cos(i))));
var type = process.argv[2] ?? "Q3_K";
var out = Buffer.alloc(n);
for (let k = 0; k < 30; k++) await a.ggufQuantize({ dtype: "F32", shape: [rows, cols], data: cos }, type, { out: out.subarray(0, n / 256 * (type === "Q3_K" ? 110 : 144)) });
