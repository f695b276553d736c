// One engine linear layer on its own (tests, benchmarks, the UI's kernel checks).
import { native, type NativeTensor } from '../native/addon.js';
import { runNative, type JobOptions } from '../native/job.js';
import type { LinearExtras, LinearLoadOptions, NativeEngineLinear, NativeLinearInfo, NativeLinearStats } from './native.js';

export class EngineLinear {
  private constructor(private readonly l: NativeEngineLinear) {}

  /** `weight` may be null for formats that store none (pack-quantized, sparse-24): pass the companions in `extra`. */
  static async create(weight: NativeTensor | null, opts: LinearLoadOptions & JobOptions & LinearExtras = {}): Promise<EngineLinear> {
    const { signal, onProgress, ...rest } = opts;
    return new EngineLinear(await runNative({ signal, onProgress }, (n) => native().engineLinear(weight, { ...n, ...rest }), { tensor: weight?.name ?? opts.name }));
  }

  /** y[T, out] = x[T, in]·Wᵀ (+ b); `out` reuses a caller's buffer. */
  forward(x: Float32Array, T: number, opts: JobOptions & { out?: Float32Array } = {}): Promise<Float32Array> {
    return runNative(opts, (n) => this.l.forward(x, T, { ...n, out: opts.out ? { y: opts.out } : undefined }));
  }

  info(): NativeLinearInfo {
    return this.l.info();
  }

  stats(): NativeLinearStats {
    return this.l.stats();
  }

  resetStats(): void {
    this.l.resetStats();
  }
}
