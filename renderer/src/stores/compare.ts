// The comparison: what to compare (model A, model B — a run's output, A as
// LLM.int8(), or another model — the prompt and how to generate, the text to
// score), the compare job, the tokens it streams, and its result.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { CompareJobResult, CompareToken, CompressResult, JobInfo, StudioRequestInput } from '../../../electron/common/contract';
import { diffTokens } from '../lib/token-diff';
import { useAppStore } from './app';
import { useJobsStore } from './jobs';
import { useModelsStore } from './models';

export type AChoice = 'open' | 'path';
export type BChoice = 'run' | 'int8' | 'path';
export type TextChoice = 'sample' | 'file' | 'inline';
export type CompareRequest = Extract<StudioRequestInput<'jobs.start'>, { kind: 'compare' }>;

export interface GenerationSettings {
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export const DEFAULT_PROMPT = 'Once upon a time';
/** Streamed tokens of jobs not yet known as ours (events and call answers travel separately). */
const EARLY_JOBS = 4;

export const useCompareStore = defineStore('compare', () => {
  const aChoice = ref<AChoice>('open');
  const aPath = ref('');
  const bChoice = ref<BChoice | null>(null);
  const runId = ref<string | null>(null);
  const bPath = ref('');
  const threshold = ref(6);
  const prompt = ref(DEFAULT_PROMPT);
  const generation = ref<GenerationSettings>({ maxTokens: 64, temperature: 0, topK: 0, topP: 1, seed: 0 });
  const textChoice = ref<TextChoice>('sample');
  const textPath = ref('');
  const inlineText = ref('');
  /** null: the default (512, at most the models' context). */
  const ctx = ref<number | null>(null);
  /** null: the whole text. */
  const maxChunks = ref<number | null>(null);

  const jobId = ref<string | null>(null);
  const starting = ref(false);
  const streamed = shallowRef<{ a: CompareToken[]; b: CompareToken[] }>({ a: [], b: [] });
  const early = new Map<string, CompareToken[]>();

  const job = computed<JobInfo | null>(() => (jobId.value ? useJobsStore().jobs[jobId.value] ?? null : null));
  const running = computed(() => job.value?.status === 'running' || job.value?.status === 'queued');
  const result = computed<CompareJobResult | null>(() => (job.value?.status === 'done' ? (job.value.result as CompareJobResult) : null));

  /** Finished runs of this session, newest first (the engine keeps the last 3 for export and comparison). */
  const runs = computed(() =>
    Object.values(useJobsStore().jobs)
      .filter((j) => j.kind === 'compress' && j.status === 'done' && j.result)
      .sort((x, y) => (y.finishedAt ?? 0) - (x.finishedAt ?? 0))
      .slice(0, 3)
      .map((j) => j.result as CompressResult),
  );

  /** B defaults to the latest run's output, or to A as LLM.int8() when nothing has run. */
  const effectiveB = computed<BChoice>(() => bChoice.value ?? (runs.value.length ? 'run' : 'int8'));
  const effectiveRunId = computed(() => (runs.value.some((r) => r.runId === runId.value) ? runId.value : runs.value[0]?.runId ?? null));

  /** The request for the current settings, or why there is none yet. */
  const request = computed<{ ok: true; value: CompareRequest } | { ok: false; reason: string }>(() => {
    const model = useModelsStore().current;
    if (aChoice.value === 'open' && !model) return { ok: false, reason: 'Open a model first' };
    if (aChoice.value === 'path' && !aPath.value.trim()) return { ok: false, reason: 'Give the path of model A' };
    const a: CompareRequest['a'] = aChoice.value === 'open' ? { source: 'open', modelId: model!.modelId } : { source: 'path', path: aPath.value.trim() };
    let b: CompareRequest['b'];
    if (effectiveB.value === 'int8') {
      if (!(threshold.value > 0)) return { ok: false, reason: 'The LLM.int8() threshold must be above 0' };
      b = { ...a, llmInt8: { threshold: threshold.value } };
    } else if (effectiveB.value === 'run') {
      if (!effectiveRunId.value) return { ok: false, reason: 'No finished run to compare with: run a recipe first' };
      b = { source: 'run', runId: effectiveRunId.value };
    } else {
      if (!bPath.value.trim()) return { ok: false, reason: 'Give the path of model B' };
      b = { source: 'path', path: bPath.value.trim() };
    }
    let text: CompareRequest['text'] = { source: 'sample' };
    if (textChoice.value === 'file') {
      if (!textPath.value.trim()) return { ok: false, reason: 'Choose the text file to score' };
      text = { source: 'file', path: textPath.value.trim() };
    } else if (textChoice.value === 'inline') {
      if (!inlineText.value.trim()) return { ok: false, reason: 'Paste the text to score' };
      text = { source: 'inline', text: inlineText.value };
    }
    return {
      ok: true,
      value: {
        kind: 'compare', a, b, prompt: prompt.value, generation: { ...generation.value }, text,
        ...(ctx.value ? { ctx: ctx.value } : {}), ...(maxChunks.value ? { maxChunks: maxChunks.value } : {}),
      },
    };
  });
  const canStart = computed(() => request.value.ok && !running.value && !starting.value);

  /** The generated tokens: streamed while the job runs, the result's once it is done. */
  const tokens = computed(() => {
    const g = result.value?.generations;
    if (g) return { a: g.a.tokens, b: g.b.tokens };
    return streamed.value;
  });
  const diff = computed(() => {
    const done = !running.value;
    const s = streamed.value;
    // A finished generating once B has started.
    return diffTokens(tokens.value.a.map((t) => t.id), tokens.value.b.map((t) => t.id), done || s.b.length > 0, done);
  });

  async function start(): Promise<void> {
    const r = request.value;
    if (!r.ok || running.value || starting.value) return;
    starting.value = true;
    try {
      const started = await useJobsStore().start(r.value);
      jobId.value = started.jobId;
      streamed.value = { a: [], b: [] };
      for (const t of early.get(started.jobId) ?? []) streamed.value[t.side].push(t);
      early.clear();
      triggerRef(streamed);
    } catch (e) {
      useAppStore().reportError('Could not start the comparison', e);
    } finally {
      starting.value = false;
    }
  }

  async function cancel(): Promise<void> {
    if (jobId.value && running.value) await useJobsStore().cancel(jobId.value);
  }

  function addToken(id: string, t: CompareToken): void {
    if (id !== jobId.value) {
      if (early.size < EARLY_JOBS || early.has(id)) early.set(id, [...(early.get(id) ?? []), t]);
      return;
    }
    streamed.value[t.side].push(t);
    triggerRef(streamed);
  }

  /** Results' "Compare with original": the run's model against the run's output. */
  async function compareRun(run: CompressResult): Promise<void> {
    const model = useModelsStore().current;
    if (model && model.modelId === run.modelId) aChoice.value = 'open';
    else {
      aChoice.value = 'path';
      aPath.value = run.source;
    }
    bChoice.value = 'run';
    runId.value = run.runId;
    useAppStore().go('compare');
    await start();
  }

  return {
    aChoice, aPath, bChoice, runId, bPath, threshold, prompt, generation, textChoice, textPath, inlineText, ctx, maxChunks,
    jobId, starting, streamed, job, running, result, runs, effectiveB, effectiveRunId, request, canStart, tokens, diff,
    start, cancel, addToken, compareRun,
  };
});
