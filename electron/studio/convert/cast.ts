// Float casts (native/convert): any tensor the studio reads, plain or GGML
// blocks, to F32, F16 or BF16 bytes, rounding to nearest even.
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';
import { runNative, type JobOptions } from '../native/job.js';

export type FloatDType = 'F32' | 'F16' | 'BF16';

declare module '../native/addon.js' {
  interface NativeAddon {
    castTensor(t: NativeTensor, to: FloatDType, opts?: NativeJobOptions): Promise<ArrayBuffer>;
  }
}

export async function castTensor(t: NativeTensor, to: FloatDType, opts: JobOptions = {}): Promise<Uint8Array> {
  return new Uint8Array(await runNative(opts, (n) => native().castTensor(t, to, n), { tensor: t.name }));
}
