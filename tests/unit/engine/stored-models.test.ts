// The bundled sample written by our own exporters in each stored format and
// run by the engine in that format: its logits over a sentence stay close to
// the F32 model's (bounds per format below), equal within float tolerance the
// engine's logits on the same weights dequantized to F32 by the quantization
// layer, and each layer reports the kernel that ran it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compressModel, ggufExportRecipe } from '../../../electron/studio/compress/index.js';
import { EngineModel } from '../../../electron/studio/engine/model.js';
import { engineConfig } from '../../../electron/studio/engine/config.js';
import { generate } from '../../../electron/studio/evaluate/generate.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import type { OpenedModel } from '../../../electron/studio/models/types.js';
import { parseRecipe } from '../../../electron/studio/recipes/index.js';
import { loadTokenizer } from '../../../electron/studio/tokenizer/load.js';
import { dequantizedEngineTensors } from '../../helpers/dequantize-stored.js';

const SENTENCE = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.';
const work = mkdtempSync(join(tmpdir(), 'mcs-stored-'));
const base = await openModel('resources/sample/stories260K');
const tokenizer = loadTokenizer(base);
const tokens = tokenizer.encode(SENTENCE);
const loaded: EngineModel[] = [];
afterAll(() => loaded.forEach((m) => m.dispose()));

async function load(m: OpenedModel): Promise<EngineModel> {
  const data = openTensorData(m);
  try {
    const e = await EngineModel.load(m, data);
    loaded.push(e);
    return e;
  } finally {
    data.close();
  }
}

async function logits(m: EngineModel): Promise<Float32Array> {
  const s = m.createSession(64);
  try {
    return (await s.eval(tokens, { logits: 'all' })).logits;
  } finally {
    s.dispose();
  }
}

/** Largest |Δ| relative to the largest |logit|, and the share of positions whose top token agrees. */
function compare(a: Float32Array, b: Float32Array, vocab: number) {
  let maxDiff = 0, maxAbs = 0, same = 0;
  const rows = a.length / vocab;
  for (let r = 0; r < rows; r++) {
    let ia = 0, ib = 0;
    for (let v = 0; v < vocab; v++) {
      const i = r * vocab + v;
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxAbs = Math.max(maxAbs, Math.abs(a[i]));
      if (a[i] > a[r * vocab + ia]) ia = v;
      if (b[i] > b[r * vocab + ib]) ib = v;
    }
    if (ia === ib) same++;
  }
  return { rel: maxDiff / maxAbs, top1: same / rows };
}

const reference = await logits(await load(base));
const VOCAB = base.config.vocabSize;

interface Case {
  name: string;
  write: (target: string) => Promise<unknown>;
  file: string;
  /** Methods the quantized layers must run under, by engine layer name pattern. */
  methods: [RegExp, string][];
  /** Bounds vs the F32 model: max |Δlogit| / max |logit|, and top-1 agreement. */
  vsF32: { rel: number; top1: number };
  /** Bound vs the engine on the dequantized weights: float rounding, or (GGUF) the Q8 activations' rounding. */
  vsDequantized?: number;
}

const recipe = (doc: unknown) => parseRecipe(doc);
const CASES: Case[] = [
  {
    name: 'int8 per-channel (pack-quantized)',
    file: 'int8',
    write: (t) => compressModel(base, recipe({ quantize: { method: 'rtn', bits: 8, granularity: 'channel' } }), t),
    methods: [[/^blk\.\d+\./, 'pack_quantized'], [/^output$/, 'dense']],
    vsF32: { rel: 0.02, top1: 0.95 },
  },
  {
    name: 'int4 g32 (pack-quantized; down_proj, 172 wide, stays F32)',
    file: 'int4-g32',
    write: (t) => compressModel(base, recipe({ quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } }), t),
    methods: [[/^blk\.\d+\.(attn_\w+|ffn_gate|ffn_up)$/, 'pack_quantized'], [/^blk\.\d+\.ffn_down$/, 'dense']],
    vsF32: { rel: 0.35, top1: 0.85 },
  },
  {
    name: 'int4 g32 asymmetric',
    file: 'int4-g32-asym',
    write: (t) => compressModel(base, recipe({ quantize: { method: 'rtn', bits: 4, scheme: 'asym', granularity: 'group', group: 32 } }), t),
    methods: [[/^blk\.\d+\.attn_q$/, 'pack_quantized']],
    vsF32: { rel: 0.35, top1: 0.85 },
  },
  {
    name: 'NF4 + double quant (bitsandbytes; ffn_down\'s blocks straddle its 172-wide rows)',
    file: 'nf4-dq',
    write: (t) => compressModel(base, recipe({ quantize: { method: 'nf4', doubleQuant: true } }), t),
    methods: [[/^blk\.\d+\./, 'bnb4'], [/^output$/, 'dense']],
    vsF32: { rel: 0.35, top1: 0.85 },
  },
  {
    name: '2:4 sparse (compressed-tensors sparse-24-bitmask)',
    file: 'sparse-24',
    write: (t) => compressModel(base, recipe({ prune: { method: 'nm', n: 2, m: 4 } }), t),
    methods: [[/^blk\.\d+\./, 'sparse24'], [/^output$/, 'dense']],
    // Pruning half of a 260K-parameter model's weights moves its logits far; the bound is for gross breakage.
    vsF32: { rel: 2, top1: 0.2 },
  },
  {
    name: 'GGUF Q8_0 (activations as Q8_0 blocks)',
    file: 'q8_0.gguf',
    write: (t) => compressModel(base, ggufExportRecipe('q8_0'), t),
    methods: [[/^blk\.\d+\.(attn_\w+|ffn_gate|ffn_up)$/, 'gguf'], [/^output$/, 'gguf']],
    vsF32: { rel: 0.03, top1: 0.95 },
    vsDequantized: 0.03,
  },
  {
    name: 'GGUF Q4_0 (activations as Q8_0 blocks)',
    file: 'q4_0.gguf',
    write: (t) => compressModel(base, ggufExportRecipe('q4_0'), t),
    methods: [[/^blk\.\d+\.(attn_\w+|ffn_gate|ffn_up)$/, 'gguf'], [/^output$/, 'gguf']],
    vsF32: { rel: 0.5, top1: 0.85 },
    vsDequantized: 0.03,
  },
];

describe('stored formats of the sample run in the engine', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const target = join(work, c.file);
      await c.write(target);
      const opened = await openModel(target);
      const model = await load(opened);
      const info = model.info();
      for (const [pattern, method] of c.methods) {
        const hits = info.linears.filter((l) => pattern.test(l.name));
        expect(hits.length, `${pattern}`).toBeGreaterThan(0);
        for (const l of hits) expect(l.method, l.name).toBe(method);
      }
      const q = await logits(model);
      const deq = await EngineModel.fromTensors(engineConfig(opened.config, opened.format), await dequantizedEngineTensors(opened));
      loaded.push(deq);
      const d = compare(q, await logits(deq), VOCAB);
      expect(d.rel, 'vs the engine on the dequantized weights').toBeLessThan(c.vsDequantized ?? 1e-5);
      if (!c.vsDequantized) expect(d.top1).toBe(1);
      const f = compare(q, reference, VOCAB);
      console.log(`${c.name}: vs F32 rel ${f.rel.toExponential(2)}, top-1 ${f.top1.toFixed(3)}; vs dequantized rel ${d.rel.toExponential(2)}, top-1 ${d.top1.toFixed(3)}; bytes/token ${info.bytesPerToken}`);
      expect(f.rel).toBeLessThan(c.vsF32.rel);
      expect(f.top1).toBeGreaterThanOrEqual(c.vsF32.top1);
    });

  it('int8: greedy decoding from "Once upon a time" starts as the F32 model does', async () => {
    const f32 = await generate(loaded[0], tokenizer, 'Once upon a time', { maxTokens: 30 });
    const q = await load(await openModel(join(work, 'int8')));
    const r = await generate(q, tokenizer, 'Once upon a time', { maxTokens: 30 });
    console.log(`int8: Once upon a time${r.text}`);
    expect(r.tokens.slice(0, 12)).toEqual(f32.tokens.slice(0, 12));
  });
});
