// The Compare job: model B against model A. Both generate from the same prompt
// ids (each token streamed to the window as a job item as soon as it is
// chosen), then both score the same text with compareModels (perplexity of
// each, KL statistics, top-1 agreement, Δp, per-layer hidden-state error and
// B's LLM.int8() outlier columns). Progress over the whole job; Cancel stops
// at the next token or chunk.
import type { CompareGeneration, CompareJobResult, CompareMetrics } from '../../common/contract.js';
import { StudioError, cancelled } from '../../common/errors.js';
import { assertSameVocab } from '../engine/model.js';
import { compareModels, firstDifference, type CompareResult } from '../evaluate/compare.js';
import { generate } from '../evaluate/generate.js';
import type { JobContext } from './job-manager.js';
import { evaluationText, loadSide, type CompareRequest, type CompareSources, type LoadedSide } from './compare-inputs.js';

/** Share of the progress bar each step gets (scoring the text is most of the work). */
const WEIGHTS = { loadA: 0.05, loadB: 0.05, generateA: 0.12, generateB: 0.12, score: 0.66 };
const PERMILLE = 1000;

type Step = keyof typeof WEIGHTS;

/** One progress bar over the steps: each step's own fraction scaled into its share. */
function stepProgress(ctx: JobContext<'compare'>, withPrompt: boolean) {
  const steps = (Object.keys(WEIGHTS) as Step[]).filter((s) => withPrompt || !s.startsWith('generate'));
  const total = steps.reduce((a, s) => a + WEIGHTS[s], 0);
  return (step: Step, fraction: number, stage: string, item: string) => {
    const before = steps.slice(0, steps.indexOf(step)).reduce((a, s) => a + WEIGHTS[s], 0);
    const done = (before + WEIGHTS[step] * Math.min(1, Math.max(0, fraction))) / total;
    ctx.progress({ stage, item, itemsDone: Math.round(done * PERMILLE), itemsTotal: PERMILLE });
  };
}

/** JSON has no NaN or Infinity: a number a run could not measure is null. */
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

function metricsOf(r: CompareResult): CompareMetrics {
  return {
    ctx: r.ctx, method: r.method, chunks: r.chunks, scored: r.scored,
    a: { ppl: fin(r.a.ppl), pplError: fin(r.a.pplError), tokensPerSecond: fin(r.a.tokensPerSecond) },
    b: { ppl: fin(r.b.ppl), pplError: fin(r.b.pplError), tokensPerSecond: fin(r.b.tokensPerSecond) },
    pplRatio: fin(r.pplRatio), pplRatioError: fin(r.pplRatioError),
    kl: { mean: fin(r.kl.mean), meanError: fin(r.kl.meanError), median: fin(r.kl.median), p90: fin(r.kl.p90), p95: fin(r.kl.p95), p99: fin(r.kl.p99), max: fin(r.kl.max) },
    sameTop: fin(r.sameTop), sameTopError: fin(r.sameTopError),
    deltaP: { rms: fin(r.deltaP.rms), rmsError: fin(r.deltaP.rmsError), mean: fin(r.deltaP.mean), meanError: fin(r.deltaP.meanError) },
    deltaPTopRms: fin(r.deltaPTopRms),
    layers: r.layers.map((l) => ({ layer: l.layer, cosine: l.cosine, relMse: l.relMse })),
    outliers: r.outliers,
  };
}

export async function runCompare(ctx: JobContext<'compare'>, src: CompareSources, req: CompareRequest): Promise<CompareJobResult> {
  const started = performance.now();
  const { signal } = ctx;
  const withPrompt = req.prompt.length > 0;
  const progress = stepProgress(ctx, withPrompt);
  const text = evaluationText(req.text);

  const loaded: LoadedSide[] = [];
  try {
    progress('loadA', 0, 'loading', 'model A');
    const a = await loadSide('A', req.a, src, { signal, onProgress: (d, t) => progress('loadA', d / t, 'loading', 'model A') });
    loaded.push(a);
    ctx.log('info', `A: ${a.side.name} — ${a.side.method}`);
    progress('loadB', 0, 'loading', 'model B');
    const b = await loadSide('B', req.b, src, { signal, onProgress: (d, t) => progress('loadB', d / t, 'loading', 'model B') });
    loaded.push(b);
    ctx.log('info', `B: ${b.side.name} — ${b.side.method}`);
    const A = a.runnable, B = b.runnable;
    try {
      assertSameVocab(A.model, B.model);
    } catch (e) {
      throw new StudioError('INVALID_ARGUMENT', `${a.side.name} and ${b.side.name} cannot be compared: ${(e as Error).message}`);
    }

    // Both models get A's token ids, so their choices line up position by position.
    const promptTokens = withPrompt ? A.tokenizer.encode(req.prompt) : [];
    const g = req.generation;
    const generateSide = async (side: 'a' | 'b', m: typeof A): Promise<CompareGeneration> => {
      const step = side === 'a' ? 'generateA' : 'generateB';
      const label = `model ${side.toUpperCase()}`;
      const streamed: CompareGeneration['tokens'] = [];
      progress(step, 0, 'generating', label);
      const r = await generate(m.model, m.tokenizer, promptTokens, {
        maxTokens: g.maxTokens, temperature: g.temperature, topK: g.topK, topP: g.topP, seed: g.seed, signal,
        onToken: (t) => {
          streamed.push({ id: t.id, text: t.text, logprob: t.logprob });
          ctx.item({ side, index: t.index, id: t.id, text: t.text, logprob: t.logprob });
        },
        onProgress: (d, t) => progress(step, d / t, 'generating', label),
      });
      // A character left incomplete at the end is only flushed into the final text: give it to the last token.
      const joined = streamed.map((t) => t.text).join('');
      if (streamed.length && r.text.length > joined.length && r.text.startsWith(joined)) streamed[streamed.length - 1].text += r.text.slice(joined.length);
      return {
        tokens: streamed, text: r.text, stopReason: r.stopReason,
        promptTokensPerSecond: r.promptTokensPerSecond, tokensPerSecond: r.tokensPerSecond,
      };
    };
    let generations: CompareJobResult['generations'] = null;
    if (withPrompt) {
      const ga = await generateSide('a', A);
      const gb = await generateSide('b', B);
      const first = firstDifference(ga.tokens.map((t) => t.id), gb.tokens.map((t) => t.id));
      generations = { a: ga, b: gb, firstDifference: first };
      ctx.log('info', first < 0 ? 'The generations are the same token for token' : `The generations part at generated token ${first}`);
    }

    if (signal.aborted) throw cancelled();
    progress('score', 0, 'scoring', 'tokenizing the text');
    const tokens = A.tokenizer.encode(text.text);
    const withLayers = req.layers && A.model.config.layers === B.model.config.layers;
    if (req.layers && !withLayers) ctx.log('warn', `A has ${A.model.config.layers} layers and B ${B.model.config.layers}: no per-layer comparison`);
    ctx.log('info', `Scoring ${text.name}: ${tokens.length} tokens`);
    const r = await compareModels(A.model, B.model, tokens, {
      ctx: req.ctx, maxChunks: req.maxChunks, layers: withLayers, signal,
      bosId: A.tokenizer.addBos ? A.tokenizer.bosId : undefined,
      onProgress: (d, t) => progress('score', d / t, 'scoring', `chunk ${d}/${t}`),
    });
    ctx.log('info', `PPL A ${r.a.ppl.toFixed(4)}, PPL B ${r.b.ppl.toFixed(4)}, KL ${r.kl.mean.toExponential(3)}, same top ${(100 * r.sameTop).toFixed(2)}%`);
    progress('score', 1, 'done', 'done');
    return {
      a: a.side, b: b.side,
      prompt: req.prompt, promptTokens, generation: { ...g }, generations,
      text: { source: text.source, name: text.name, characters: text.text.length, tokens: tokens.length },
      metrics: metricsOf(r),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const l of loaded) l.runnable.dispose();
  }
}
