// The transformer engine end to end: prompt and generation tokens per second
// on a synthetic model with real shapes (hidden 2048, intermediate 5632, GQA
// 32/4 heads, 32k vocabulary, TinyLlama's layout) per weight format, next to
// the memory-bandwidth bound for generation (weight bytes read per token ÷ the
// copy bandwidth measured in the same run), and on the bundled stories260K.
// Rows: op 'prompt' / 'generate'; GB/s = weight bytes streamed per second.
import { EngineModel } from '../../electron/studio/engine/model.js';
import { loadRunnableModel } from '../../electron/studio/engine/load.js';
import { measureSpeed } from '../../electron/studio/evaluate/speed.js';
import { native, type NativeTensor } from '../../electron/studio/native/addon.js';
import { quantizeGguf } from '../../electron/studio/quant/gguf.js';
import { sampleModelPath } from '../../electron/studio/resources.js';
import { atEachThreadCount, syntheticWeights, type BenchContext, type BenchRow, type BenchSuite, type Shape } from '../harness.js';

const H = 2048, I = 5632, HEADS = 32, KV = 4, HD = 64, VOCAB = 32000;
const PROMPT = 128, GEN = 16;

function toHalf(x: Float32Array, bf16: boolean): Uint16Array {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer), out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i];
    const b = u[0];
    if (bf16) out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    else {
      const a = b & 0x7fffffff, s = (b >>> 16) & 0x8000;
      out[i] = a < 0x38800000 ? s : s | ((a - (112 << 23) + 0xfff + ((a >>> 13) & 1)) >>> 13);
    }
  }
  return out;
}

/** F32 weights of the synthetic model, by llama.cpp names. */
function syntheticModel(layers: number): Record<string, { shape: number[]; data: Float32Array }> {
  const t: Record<string, { shape: number[]; data: Float32Array }> = {};
  let seed = 100;
  const add = (name: string, shape: number[], one = false) => {
    const data = syntheticWeights(shape.reduce((a, b) => a * b), seed++);
    if (one) for (let i = 0; i < data.length; i++) data[i] += 1;
    t[name] = { shape, data };
  };
  add('token_embd.weight', [VOCAB, H]);
  add('output_norm.weight', [H], true);
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    add(p + 'attn_norm.weight', [H], true);
    add(p + 'ffn_norm.weight', [H], true);
    add(p + 'attn_q.weight', [HEADS * HD, H]);
    add(p + 'attn_k.weight', [KV * HD, H]);
    add(p + 'attn_v.weight', [KV * HD, H]);
    add(p + 'attn_output.weight', [H, HEADS * HD]);
    add(p + 'ffn_gate.weight', [I, H]);
    add(p + 'ffn_up.weight', [I, H]);
    add(p + 'ffn_down.weight', [H, I]);
  }
  return t;
}

async function stored(w: Record<string, { shape: number[]; data: Float32Array }>, format: string): Promise<Record<string, NativeTensor>> {
  const out: Record<string, NativeTensor> = {};
  for (const [name, t] of Object.entries(w)) {
    const matrix = t.shape.length === 2;
    if (!matrix || format === 'F32' || format === 'llm_int8') out[name] = { dtype: 'F32', shape: t.shape, data: t.data };
    else if (format === 'F16' || format === 'BF16') out[name] = { dtype: format, shape: t.shape, data: toHalf(t.data, format === 'BF16') };
    else out[name] = { dtype: format, shape: t.shape, data: await quantizeGguf({ dtype: 'F32', shape: t.shape, data: t.data }, format as 'Q8_0') };
  }
  return out;
}

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
  const w = syntheticModel(layers);
  const config = {
    family: 'llama' as const, architecture: 'llama', hidden: H, intermediate: I, layers, heads: HEADS, kvHeads: KV, headDim: HD,
    vocab: VOCAB, maxPositions: 2048, normEps: 1e-5, tieEmbeddings: true,
  };
  ctx.log(`synthetic llama: hidden ${H}, intermediate ${I}, ${layers} layers, heads ${HEADS}/${KV}, vocab ${VOCAB} (tied head)`);
  const formats = ctx.quick ? ['F32', 'llm_int8'] : ['F32', 'F16', 'BF16', 'llm_int8', 'Q8_0', 'Q4_0'];
  for (const format of formats) {
    const model = await EngineModel.fromTensors(config, await stored(w, format), { method: format === 'llm_int8' ? 'llm_int8' : undefined });
    const bytes = model.info().bytesPerToken;
    await atEachThreadCount(ctx, async (threads) => { out.push(...rows(ctx, `${format} ${layers}L`, [H, I], threads, bytes, await speeds(model, ctx))); });
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
