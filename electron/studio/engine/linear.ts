// One engine linear layer on its own (tests, benchmarks, the UI's kernel checks).
import { native, type NativeTensor } from '../native/addon.js';
import { runNative, type JobOptions } from '../native/job.js';
import type { LinearLoadOptions, NativeEngineLinear, NativeLinearInfo, NativeLinearStats } from './native.js';

export class EngineLinear {
  private constructor(private readonly l: NativeEngineLinear) {}

  static async create(weight: NativeTensor, opts: LinearLoadOptions & JobOptions & { bias?: NativeTensor; inOut?: boolean } = {}): Promise<EngineLinear> {
    const { signal, onProgress, ...rest } = opts;
    return new EngineLinear(await runNative({ signal, onProgress }, (n) => native().engineLinear(weight, { ...n, ...rest }), { tensor: weight.name }));
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
