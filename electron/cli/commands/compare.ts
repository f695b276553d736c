// `mcs compare A B`: the same tokens through two models (B may be A's own
// files run as LLM.int8()): perplexity of each and their ratio, KL divergence
// statistics, top-token agreement, Δp, per-layer hidden-state error; with
// --prompt, both models' greedy continuations and where they part.
import type { Command } from 'commander';
import { StudioError } from '../../common/errors.js';
import { loadRunnableModel, type RunnableModel } from '../../studio/engine/load.js';
import { compareModels, firstDifference, type CompareResult } from '../../studio/evaluate/compare.js';
import { generate } from '../../studio/evaluate/generate.js';
import { execute, parseIntOption, withCommonOptions } from '../command.js';
import { fmt, loadOptions, pct, perplexityMethod, readTextFile, withInt8Options, withPerplexityOptions, type Int8Flags, type PerplexityFlags } from '../engine-flags.js';
import { formatBytes, formatTable } from '../output.js';

interface CompareFlags extends Int8Flags, PerplexityFlags {
  prompt?: string;
  maxTokens?: number;
  layers?: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface Generations {
  prompt: string;
  a: { tokens: number[]; text: string };
  b: { tokens: number[]; text: string };
  /** Index of the first generated token where they differ (-1: identical). */
  firstDifference: number;
}

async function generations(a: RunnableModel, b: RunnableModel, prompt: string, maxTokens: number, signal: AbortSignal): Promise<Generations> {
  const ga = await generate(a.model, a.tokenizer, prompt, { maxTokens, signal });
  const gb = await generate(b.model, b.tokenizer, prompt, { maxTokens, signal });
  return { prompt, a: { tokens: ga.tokens, text: ga.text }, b: { tokens: gb.tokens, text: gb.text }, firstDifference: firstDifference(ga.tokens, gb.tokens) };
}

function printMetrics(r: CompareResult): string {
  const rows: [string, string][] = [
    ['PPL A', `${fmt(r.a.ppl)} ± ${fmt(r.a.pplError, 5)}`],
    ['PPL B', `${fmt(r.b.ppl)} ± ${fmt(r.b.pplError, 5)}`],
    ['PPL B / PPL A', `${fmt(r.pplRatio, 6)} ± ${fmt(r.pplRatioError, 6)}`],
    ['KL mean', `${fmt(r.kl.mean, 6)} ± ${fmt(r.kl.meanError, 6)}`],
    ['KL median / p90 / p99 / max', [r.kl.median, r.kl.p90, r.kl.p99, r.kl.max].map((x) => fmt(x, 6)).join(' / ')],
    ['same top token', `${pct(r.sameTop, 3)} ± ${pct(r.sameTopError, 3)}`],
    ['RMS Δp (next token)', `${pct(r.deltaP.rms, 3)} ± ${pct(r.deltaP.rmsError, 3)}`],
    ['RMS Δp (A\'s top token)', pct(r.deltaPTopRms, 3)],
    ['size A / B', `${formatBytes(r.a.sizeBytes)} / ${formatBytes(r.b.sizeBytes)}`],
    ['speed A / B', `${fmt(r.a.tokensPerSecond, 1)} / ${fmt(r.b.tokensPerSecond, 1)} tok/s`],
    ['scored', `${r.scored} predictions in ${r.chunks} × ${r.ctx} tokens (${r.method})`],
  ];
  const out = [formatTable(rows, [{ header: 'metric', value: ([k]) => k }, { header: 'value', value: ([, v]) => v, align: 'left' }])];
  if (r.layers.length) {
    const outl = new Map(r.outliers.map((o) => [o.layer, o]));
    out.push('', formatTable(r.layers, [
      { header: 'layer', value: (l) => l.layer },
      { header: 'cosine', value: (l) => l.cosine.toFixed(6) },
      { header: 'rel. MSE', value: (l) => l.relMse.toExponential(3) },
      ...(r.outliers.length ? [{ header: 'outlier cols/call', value: (l: { layer: number }) => { const o = outl.get(l.layer); return o && o.calls ? (o.outlierColumns / o.calls).toFixed(2) : ''; } }] : []),
    ]));
  }
  return out.join('\n');
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('run two models on the same tokens: perplexity, KL divergence, top-token agreement, per-layer error')
    .argument('<modelA>', 'the reference model (folder or .gguf)')
    .argument('<modelB>', 'the model to compare with it (may be the same files, with --llm-int8)')
    .option('-t, --text <file>', 'score this text with both models')
    .option('-p, --prompt <text>', 'generate from this prompt with both models (greedy)')
    .option('-n, --max-tokens <n>', 'tokens to generate with --prompt (default 64)', parseIntOption('--max-tokens', 1, 1 << 20))
    .option('--no-layers', 'skip the per-layer hidden-state comparison');
  withCommonOptions(withInt8Options(withPerplexityOptions(cmd), 'model B\'s')).action((pathA: string, pathB: string, f: CompareFlags) =>
    execute(!!f.json, !!f.quiet, {
      run: async (ctx) => {
        if (!f.text && !f.prompt) throw new StudioError('INVALID_ARGUMENT', 'give --text FILE (metrics), --prompt TEXT (generations), or both');
        const method = perplexityMethod(f.method);
        const text = f.text ? readTextFile(f.text) : undefined;
        const a = await loadRunnableModel(pathA, { signal: ctx.signal });
        const b = await loadRunnableModel(pathB, loadOptions(f, ctx)).catch((e) => { a.dispose(); throw e; });
        try {
          const gen = f.prompt ? await generations(a, b, f.prompt, f.maxTokens ?? 64, ctx.signal) : undefined;
          let metrics: CompareResult | undefined;
          if (text !== undefined) {
            const tokens = a.tokenizer.encode(text);
            metrics = await compareModels(a.model, b.model, tokens, {
              ctx: f.ctx, method, maxChunks: f.chunks, layers: f.layers !== false, bosId: a.tokenizer.addBos ? a.tokenizer.bosId : undefined, signal: ctx.signal,
              onProgress: (d, t) => ctx.progress.update(d / t, `chunk ${d}/${t}`),
            });
          }
          return { a: { model: a.opened.path, method: a.model.describe() }, b: { model: b.opened.path, method: b.model.describe() }, generations: gen, metrics };
        } finally {
          a.dispose();
          b.dispose();
        }
      },
      print: (r) => {
        const out = [`A: ${r.a.model} (${r.a.method})`, `B: ${r.b.model} (${r.b.method})`];
        if (r.generations) {
          const g = r.generations;
          out.push('', `A: ${g.prompt}${g.a.text}`, `B: ${g.prompt}${g.b.text}`, g.firstDifference < 0 ? 'the generations are identical' : `they part at generated token ${g.firstDifference}`);
        }
        if (r.metrics) out.push('', printMetrics(r.metrics));
        return out.join('\n');
      },
    }),
  );
}
