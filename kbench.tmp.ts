import { EngineLinear } from './electron/studio/engine/linear.js';
import { storeLinear } from './electron/studio/engine/stored-linear.js';
import { native } from './electron/studio/native/addon.js';
native().setThreads(1);
const fmt = process.argv[2] ?? 'pack8';
for (const [rows, cols] of [[1024, 1024], [4096, 4096], [16384, 4096]]) {
  const w = new Float32Array(rows * cols).map((_, i) => Math.sin(i * 0.37) * 0.02);
  const f = fmt === 'pack8' ? { kind: 'pack', bits: 8 } : fmt === 'pack4' ? { kind: 'pack', bits: 4, granularity: 'group', groupSize: 128 } : fmt === 'q4_0' ? { kind: 'gguf', type: 'q4_0' } : fmt === 'q8_0' ? { kind: 'gguf', type: 'q8_0' } : null;
  let lin;
  if (f) { const s = await storeLinear(w, rows, cols, f as never, { skipDequantize: true }); lin = await EngineLinear.create(s.weight, { extra: s.extra }); }
  else lin = await EngineLinear.create({ dtype: 'F32', shape: [rows, cols], data: w });
  const x = new Float32Array(cols).map((_, i) => Math.cos(i));
  const out = new Float32Array(rows);
  for (let i = 0; i < 5; i++) await lin.forward(x, 1, { out });
  const n = Math.max(10, Math.round(2e9 / (rows * cols)));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await lin.forward(x, 1, { out });
  const s = (performance.now() - t0) / 1000 / n;
  console.log(fmt, rows, cols, `${(rows * cols / s / 1e9).toFixed(2)} Gweights/s`, `${(s * 1e6).toFixed(0)} us/call`);
}
