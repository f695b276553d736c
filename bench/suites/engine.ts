// The transformer engine end to end: prompt and generation tokens per second
// on a synthetic model with real shapes (hidden 2048, intermediate 5632, GQA
// 32/4 heads, 32k vocabulary, TinyLlama's layout; every linear layer and the
// head in the format, built by engine/synthetic-model.ts with our own
// quantizers) per weight format, next to the memory-bandwidth bound for
// generation (weight bytes read per token ÷ the copy bandwidth measured in the
// same run), and on the bundled stories260K. Layers: MCS_BENCH_ENGINE_LAYERS
// (default 4, --quick 1; TinyLlama has 22; `mcs bench --synthetic` too).
// Rows: op 'prompt' / 'generate'; GB/s = weight bytes streamed per second.
import { EngineModel } from '../../electron/studio/engine/model.js';
import { loadRunnableModel } from '../../electron/studio/engine/load.js';
import { measureSpeed } from '../../electron/studio/evaluate/speed.js';
import { syntheticModel, type SyntheticFormat } from '../../electron/studio/engine/synthetic-model.js';
import { native } from '../../electron/studio/native/addon.js';
import { sampleModelPath } from '../../electron/studio/resources.js';
import { atEachThreadCount, type BenchContext, type BenchRow, type BenchSuite, type Shape } from '../harness.js';

const PROMPT = 128, GEN = 16;

/** Seconds per prompt token and per generated token at the current thread count. */
async function speeds(model: EngineModel, ctx: BenchContext): Promise<{ promptS: number; genS: number }> {
  const r = await measureSpeed(model, { promptTokens: PROMPT, genTokens: GEN, repeats: ctx.quick ? 1 : 2 });
  return { promptS: 1 / r.promptTokensPerSecond, genS: 1 / r.tokensPerSecond };
}

function rows(ctx: BenchContext, format: string, shape: Shape, threads: number, bytes: number, sp: { promptS: number; genS: number }): BenchRow[] {
  const copy = ctx.memcpyGBps(threads);
  const bound = copy * 1e9 / bytes; // tokens/s if generation only streamed the weights at copy speed
  ctx.log(`engine     ${format.padEnd(26)} thr ${threads}: prompt ${(1 / sp.promptS).toFixed(1)} tok/s, generate ${(1 / sp.genS).toFixed(2)} tok/s ` +
    `(${(bytes / 1e6).toFixed(0)} MB/token; bound ${bound.toFixed(2)} tok/s at ${copy.toFixed(1)} GB/s → ${((1 / sp.genS / bound) * 100).toFixed(0)}%)`);
  const row = (op: string, seconds: number): BenchRow => {
    const gbps = bytes / seconds / 1e9;
    return { suite: 'engine', op, format, shape, threads, seconds, gbps, vsMemcpy: gbps / copy };
  };
  return [row('prompt', sp.promptS), row('generate', sp.genS)];
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  const layers = Number(process.env.MCS_BENCH_ENGINE_LAYERS ?? (ctx.quick ? 1 : 4));
  ctx.log(`synthetic llama: hidden 2048, intermediate 5632, ${layers} layers, heads 32/4, vocab 32000 (the head in the format too)`);
  const formats: SyntheticFormat[] = ctx.quick ? ['F32', 'W4A16', 'Q4_0', 'LLM.int8'] : ['F32', 'F16', 'BF16', 'W8A16', 'W4A16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q5_K', 'Q6_K', 'NF4', '2:4', 'LLM.int8'];
  for (const format of formats) {
    const model = await syntheticModel(format, { layers });
    const bytes = model.info().bytesPerToken;
    await atEachThreadCount(ctx, async (threads) => { out.push(...rows(ctx, `${format} ${layers}L`, [2048, 5632], threads, bytes, await speeds(model, ctx))); });
    model.dispose();
  }
  const sample = await loadRunnableModel(sampleModelPath());
  await atEachThreadCount(ctx, async (threads) => {
    out.push(...rows(ctx, 'stories260K F32', [64, 172], threads, sample.model.info().bytesPerToken, await speeds(sample.model, ctx)));
  });
  sample.dispose();
  native().setThreads(0);
  return out;
}

export const engineSuite: BenchSuite = { name: 'engine', run };
