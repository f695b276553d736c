// The Compare job through the real engine process: the sample against its
// LLM.int8() version and against its int4 g32 run output — both generations
// streamed token by token, the metrics finite and ordered as they must be
// (int8 closer than int4), readable refusals, and Cancel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareJobResult, CompareToken, CompressResult, JobInfo, ModelSummary, StudioEvent, StudioResult } from '../../../electron/common/contract.js';
import { PRESETS } from '../../../electron/studio/recipes/index.js';
import { testShell, type TestShell } from '../../helpers/studio-shell.js';
import { writeSyntheticModel } from '../../e2e/synthetic-model.js';

let shell: TestShell;
let model: ModelSummary;
const dir = mkdtempSync(join(tmpdir(), 'mcs-compare-'));
const PROMPT = 'Once upon a time';

async function call<T>(name: string, payload: unknown): Promise<T> {
  const r = (await shell.gateway.handle(name, payload)) as StudioResult<T>;
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function finished(jobId: string, timeoutMs = 60_000): Promise<JobInfo> {
  return shell
    .nextEvent((e: StudioEvent) => e.type === 'job.update' && e.job.jobId === jobId && e.job.finishedAt !== null, timeoutMs)
    .then((e) => (e as { job: JobInfo }).job);
}

async function compare(request: Record<string, unknown>): Promise<{ job: JobInfo; result: CompareJobResult; items: CompareToken[] }> {
  const job = await call<JobInfo>('jobs.start', { kind: 'compare', ...request });
  const done = await finished(job.jobId);
  if (done.status !== 'done') throw new Error(`compare ${done.status}: ${done.error?.message}`);
  const items = shell.events.flatMap((e) => (e.type === 'job.item' && e.jobId === job.jobId ? [e.item as CompareToken] : []));
  return { job: done, result: done.result as CompareJobResult, items };
}

beforeAll(async () => {
  shell = testShell();
  model = await call<ModelSummary>('models.openSample', {});
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('compare job', () => {
  let int8: CompareJobResult;

  it('compares the sample with its LLM.int8() version: both generations streamed, finite metrics, outliers per layer', async () => {
    const open = { source: 'open', modelId: model.modelId };
    const { job, result, items } = await compare({ a: open, b: { ...open, llmInt8: {} }, prompt: PROMPT, generation: { maxTokens: 32 } });
    int8 = result;
    expect(job.title).toBe('Compare stories260K with stories260K as LLM.int8()');
    expect(job.progress?.fraction).toBe(1);
    const g = result.generations!;
    // Greedy from "Once upon a time" (../shared/README.md) — the original's words.
    expect(g.a.text).toMatch(/^, there was a little girl named Lily\. She loved to play outside/);
    for (const side of ['a', 'b'] as const) {
      const streamed = items.filter((t) => t.side === side);
      expect(streamed.map((t) => t.index)).toEqual(streamed.map((_, i) => i));
      expect(streamed.map((t) => t.id)).toEqual(g[side].tokens.map((t) => t.id));
      expect(g[side].tokens.map((t) => t.text).join('')).toBe(g[side].text);
      expect(g[side].tokensPerSecond).toBeGreaterThan(0);
    }
    // A's tokens all streamed before B's first.
    expect(items.findIndex((t) => t.side === 'b')).toBe(items.filter((t) => t.side === 'a').length);
    expect(result.promptTokens[0]).toBe(1); // BOS
    expect(result.a.method).toMatch(/dense/);
    expect(result.b.method).toMatch(/llm_int8/);
    expect(result.b.llmInt8Threshold).toBe(6);
    expect(result.text).toMatchObject({ source: 'sample', name: 'TinyStories excerpt (bundled)', characters: 30346 });

    const m = result.metrics;
    expect(m.ctx).toBe(512);
    expect(m.chunks).toBe(Math.floor(result.text.tokens / 512));
    for (const x of [m.a.ppl, m.b.ppl, m.kl.mean, m.kl.median, m.kl.p99, m.kl.max, m.sameTop, m.deltaP.rms]) expect(Number.isFinite(x)).toBe(true);
    expect(Math.abs(m.pplRatio! - 1)).toBeLessThan(0.01); // issue 3: PPL(int8) within 1% of the original
    expect(m.kl.mean).toBeGreaterThan(0);
    expect(m.layers.map((l) => l.layer)).toEqual([0, 1, 2, 3, 4]);
    for (const l of m.layers) expect(l.cosine).toBeGreaterThan(0.99);
    expect(m.outliers.map((o) => o.layer)).toEqual([0, 1, 2, 3, 4]);
    // 7 linear layers per block, each called at least once per chunk.
    for (const o of m.outliers) {
      expect(o.linears).toHaveLength(7);
      expect(o.calls % (7 * m.chunks)).toBe(0);
    }
    expect(m.outliers.some((o) => o.outlierColumns > 0)).toBe(true);
  });

  it('compares the sample with the int4 g32 output of a run: further from the original than LLM.int8()', async () => {
    const recipe = PRESETS.find((p) => p.id === 'int4-g32')!.recipe as Record<string, unknown>;
    const run = await call<JobInfo>('jobs.start', { kind: 'compress', modelId: model.modelId, recipe });
    const runResult = (await finished(run.jobId)).result as CompressResult;
    const { job, result } = await compare({ a: { source: 'open', modelId: model.modelId }, b: { source: 'run', runId: runResult.runId }, prompt: PROMPT });
    expect(job.title).toBe('Compare stories260K with int4 g32 of stories260K');
    expect(result.b.format).toBe('compressed-tensors');
    expect(result.b.sizeBytes).toBeLessThan(result.a.sizeBytes);
    const m = result.metrics;
    expect(m.kl.mean).toBeGreaterThan(0);
    expect(m.sameTop).toBeLessThan(1);
    expect(m.kl.mean).toBeGreaterThan(int8.metrics.kl.mean!); // issue 3: KL(int8) < KL(int4)
    expect(m.outliers).toEqual([]);
  });

  it('scores pasted text and a chosen file, with the context and chunks asked for', async () => {
    const open = { source: 'open', modelId: model.modelId };
    const story = 'Tom had a red ball. He liked to play with it in the park. One day the ball rolled away. '.repeat(12);
    const pasted = await compare({ a: open, b: { ...open, llmInt8: { threshold: 2 } }, text: { source: 'inline', text: story }, ctx: 64, maxChunks: 3 });
    expect(pasted.result.generations).toBeNull();
    expect(pasted.items).toEqual([]);
    expect(pasted.result.text).toMatchObject({ source: 'inline', name: 'pasted text' });
    expect(pasted.result.metrics).toMatchObject({ ctx: 64, chunks: 3, scored: 3 * 31 });
    // A lower threshold takes more columns out.
    expect(pasted.result.metrics.outliers.reduce((a, o) => a + o.outlierColumns, 0)).toBeGreaterThan(0);
    const file = join(dir, 'story.txt');
    writeFileSync(file, story);
    const fromFile = await compare({ a: open, b: open, text: { source: 'file', path: file }, ctx: 64, layers: false });
    expect(fromFile.result.text).toMatchObject({ source: 'file', name: 'story.txt', characters: story.length });
    expect(fromFile.result.metrics.kl.max).toBe(0); // the same model twice
    expect(fromFile.result.metrics.sameTop).toBe(1);
    expect(fromFile.result.metrics.layers).toEqual([]);
  });

  it('says why a model cannot be compared, naming the side', async () => {
    const open = { source: 'open', modelId: model.modelId };
    const notModel = join(dir, 'notes');
    (await import('node:fs')).mkdirSync(notModel);
    writeFileSync(join(notModel, 'config.json'), JSON.stringify({ architectures: ['BertModel'], model_type: 'bert' }));
    const job = await call<JobInfo>('jobs.start', { kind: 'compare', a: open, b: { source: 'path', path: notModel } });
    const done = await finished(job.jobId);
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(/^Model B \(notes\) cannot run in the engine: /);

    const short = await call<JobInfo>('jobs.start', { kind: 'compare', a: open, b: open, text: { source: 'inline', text: 'Too short.' } });
    expect((await finished(short.jobId)).error?.message).toMatch(/needs at least one chunk of 512 \(use a smaller context\)/);

    expect(await shell.gateway.handle('jobs.start', { kind: 'compare', a: open, b: { source: 'run', runId: 'job-gone' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await shell.gateway.handle('jobs.start', { kind: 'compare', a: { source: 'open', modelId: 'model-99' }, b: open })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await shell.gateway.handle('jobs.start', { kind: 'compare', a: open, b: open, generation: { temperature: -1 } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: /generation\.temperature/ } });
  });

  it('cancels mid-comparison within a second', async () => {
    const big = join(dir, 'synthetic');
    writeSyntheticModel(big, { hidden: 512, intermediate: 1408, layers: 4, vocab: 512 });
    const a = { source: 'path', path: big };
    const job = await call<JobInfo>('jobs.start', { kind: 'compare', a, b: { ...a, llmInt8: {} }, prompt: PROMPT, generation: { maxTokens: 400 } });
    await shell.nextEvent((e) => e.type === 'job.item' && e.jobId === job.jobId && (e.item as CompareToken).index >= 5);
    const t0 = performance.now();
    await call('jobs.cancel', { jobId: job.jobId });
    const done = await finished(job.jobId);
    const ms = performance.now() - t0;
    expect(done.status).toBe('cancelled');
    expect(ms).toBeLessThan(1000);
    // The engine is free again.
    expect((await compare({ a: { source: 'open', modelId: model.modelId }, b: { source: 'open', modelId: model.modelId }, ctx: 128, maxChunks: 1 })).result.metrics.chunks).toBe(1);
  });
});
