// Typings of the native bandwidth baselines (native/bench/stream.h).
import '../electron/studio/native/addon.js';

declare module '../electron/studio/native/addon.js' {
  interface NativeAddon {
    streamCopy(src: ArrayBufferView, dst: ArrayBufferView, opts?: { repeats?: number }): Promise<{ seconds: number; bytes: number }>;
    streamRead(src: ArrayBufferView, opts?: { repeats?: number }): Promise<{ seconds: number; bytes: number }>;
  }
}
