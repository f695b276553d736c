// Tokens per second of a loaded model: a prompt in one batch, then decoding
// one token at a time, next to the bound memory bandwidth sets on generation
// (each generated token reads every weight once: copy bandwidth ÷ bytes/token).
import { cancelled } from '../../common/errors.js';
import { native } from '../native/addon.js';
import type { JobOptions } from '../native/job.js';
import type { EngineModel } from '../engine/model.js';

declare module '../native/addon.js' {
  interface NativeAddon {
    streamCopy(src: ArrayBufferView, dst: ArrayBufferView, opts?: { repeats?: number }): Promise<{ seconds: number; bytes: number }>;
  }
}

export interface SpeedOptions extends JobOptions {
  /** Prompt length (default 128, at most the context). */
  promptTokens?: number;
  /** Decoding steps timed (default 32). */
  genTokens?: number;
  /** Best of this many runs (default 2). */
  repeats?: number;
}

export interface SpeedResult {
  promptTokens: number;
  genTokens: number;
  promptTokensPerSecond: number;
  tokensPerSecond: number;
  /** Weight bytes read per generated token. */
  bytesPerToken: number;
}

/** Copy bandwidth (bytes copied per second) of 64 MiB buffers (beyond the caches) on the kernels' threads. */
export async function copyBandwidth(): Promise<number> {
  const src = new Uint8Array(64 << 20).fill(1), dst = new Uint8Array(src.length);
  const r = await native().streamCopy(src, dst, { repeats: 3 });
  return r.bytes / r.seconds;
}

export async function measureSpeed(model: EngineModel, opts: SpeedOptions = {}): Promise<SpeedResult> {
  const genTokens = opts.genTokens ?? 32;
  const promptTokens = Math.max(1, Math.min(opts.promptTokens ?? 128, model.config.maxPositions - genTokens));
  const repeats = opts.repeats ?? 2;
  const V = model.config.vocab;
  const prompt = Array.from({ length: promptTokens }, (_, i) => (i * 7919 + 13) % V);
  const s = model.createSession(promptTokens + genTokens);
  let promptS = Infinity, genS = Infinity;
  try {
    for (let r = 0; r <= repeats; r++) {
      if (opts.signal?.aborted) throw cancelled();
      s.truncate(0);
      const t0 = performance.now();
      await s.eval(prompt, { signal: opts.signal });
      const t1 = performance.now();
      for (let i = 0; i < genTokens; i++) await s.eval([(i * 31 + 7) % V], { signal: opts.signal });
      const t2 = performance.now();
      if (r > 0) { // the first run warms caches and pages in the weights
        promptS = Math.min(promptS, (t1 - t0) / 1000);
        genS = Math.min(genS, (t2 - t1) / 1000);
      }
      opts.onProgress?.(r + 1, repeats + 1, 'measuring');
    }
  } finally {
    s.dispose();
  }
  return { promptTokens, genTokens, promptTokensPerSecond: promptTokens / promptS, tokensPerSecond: genTokens / genS, bytesPerToken: model.info().bytesPerToken };
}
