// @vitest-environment happy-dom
// The Compare screen's logic: where two generations part (token-diff), and the
// compare store — the request it builds from the settings, what it refuses,
// how streamed tokens reach the columns (also those that arrive before the
// call's answer), and "Compare with original" from a finished run.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CompareToken, CompressResult, JobInfo } from '../../../../electron/common/contract';
import { provideStudioApi } from '../../../../renderer/src/api/client';
import { diffTokens } from '../../../../renderer/src/lib/token-diff';
import { useAppStore } from '../../../../renderer/src/stores/app';
import { useCompareStore } from '../../../../renderer/src/stores/compare';
import { routeEvents } from '../../../../renderer/src/stores/events';
import { useJobsStore } from '../../../../renderer/src/stores/jobs';
import { useModelsStore } from '../../../../renderer/src/stores/models';
import { job } from './fixtures';
import { TestApi, flush } from './test-api';

describe('token diff', () => {
  it('marks nothing while both agree, and pending what one side has not produced yet', () => {
    const d = diffTokens([1, 2, 3], [1, 2], true, false);
    expect(d.first).toBe(-1);
    expect(d.a).toEqual(['same', 'same', 'pending']);
    expect(d.b).toEqual(['same', 'same']);
  });

  it('marks the first differing token and everything after it as diverged, even where ids meet again', () => {
    const d = diffTokens([1, 2, 3, 4, 5], [1, 2, 9, 4, 5]);
    expect(d.first).toBe(2);
    expect(d.a).toEqual(['same', 'same', 'first', 'diverged', 'diverged']);
    expect(d.b).toEqual(d.a);
  });

  it('a side that stopped short (end of text) differs where its tokens end', () => {
    expect(diffTokens([1, 2], [1, 2, 3], true, true).first).toBe(2);
    expect(diffTokens([1, 2], [1, 2, 3], true, true).b).toEqual(['same', 'same', 'first']);
    // While the shorter side is still generating, nothing is known yet.
    expect(diffTokens([1, 2], [1, 2, 3], false, true).first).toBe(-1);
    expect(diffTokens([], [], true, true)).toEqual({ first: -1, a: [], b: [] });
  });
});

const token = (side: 'a' | 'b', index: number, id: number): CompareToken => ({ side, index, id, text: ` t${id}`, logprob: -0.5 });
const compareJob = (jobId: string, status: JobInfo['status'] = 'running', revision = 1): JobInfo => ({ ...job(jobId, status, revision), kind: 'compare', title: 'Compare tiny with tiny as LLM.int8()' });
const run = (runId: string, modelId: string, finishedAt: number): JobInfo => ({
  ...job(runId, 'done'), kind: 'compress', finishedAt,
  result: { runId, modelId, modelName: 'tiny', source: '/models/tiny', format: 'compressed-tensors', recipeName: 'int4 g32' } as CompressResult,
});

let api: TestApi;
let started = 0;

beforeEach(() => {
  setActivePinia(createPinia());
  started = 0;
  api = new TestApi({
    'jobs.start': () => compareJob(`cmp-${++started}`),
    'jobs.cancel': (r) => compareJob(r.jobId, 'cancelled', 5),
  });
  provideStudioApi(api);
  routeEvents(api);
});

function openModel(modelId = 'model-1'): void {
  useModelsStore().current = { modelId, path: '/models/tiny', name: 'tiny' } as ReturnType<typeof useModelsStore>['current'];
}

describe('compare store', () => {
  it('needs a model A, and compares A with itself as LLM.int8() when nothing has run', () => {
    const compare = useCompareStore();
    expect(compare.request).toEqual({ ok: false, reason: 'Open a model first' });
    openModel();
    expect(compare.effectiveB).toBe('int8');
    const r = compare.request;
    expect(r.ok && r.value).toMatchObject({
      kind: 'compare', a: { source: 'open', modelId: 'model-1' }, b: { source: 'open', modelId: 'model-1', llmInt8: { threshold: 6 } },
      prompt: 'Once upon a time', generation: { maxTokens: 64, temperature: 0 }, text: { source: 'sample' },
    });
    expect(r.ok && 'ctx' in r.value).toBe(false);
  });

  it('says what is missing instead of sending a request the engine would refuse', () => {
    const compare = useCompareStore();
    openModel();
    compare.threshold = 0;
    expect(compare.request).toEqual({ ok: false, reason: 'The LLM.int8() threshold must be above 0' });
    compare.bChoice = 'run';
    expect(compare.request).toEqual({ ok: false, reason: 'No finished run to compare with: run a recipe first' });
    compare.bChoice = 'path';
    expect(compare.request).toEqual({ ok: false, reason: 'Give the path of model B' });
    compare.bPath = '  /models/tiny-int4 ';
    compare.textChoice = 'file';
    expect(compare.request).toEqual({ ok: false, reason: 'Choose the text file to score' });
    compare.textChoice = 'inline';
    compare.inlineText = 'Some text to score.';
    compare.ctx = 128;
    compare.maxChunks = 2;
    const r = compare.request;
    expect(r.ok && r.value).toMatchObject({ b: { source: 'path', path: '/models/tiny-int4' }, text: { source: 'inline', text: 'Some text to score.' }, ctx: 128, maxChunks: 2 });
    expect(compare.canStart).toBe(true);
  });

  it('defaults B to the newest finished run and names it in the request', () => {
    const compare = useCompareStore();
    openModel();
    const jobs = useJobsStore();
    jobs.apply({ type: 'job.update', job: run('run-old', 'model-1', 10) });
    jobs.apply({ type: 'job.update', job: run('run-new', 'model-1', 20) });
    expect(compare.effectiveB).toBe('run');
    expect(compare.runs.map((x) => x.runId)).toEqual(['run-new', 'run-old']);
    const r = compare.request;
    expect(r.ok && r.value.b).toEqual({ source: 'run', runId: 'run-new' });
    compare.runId = 'run-old';
    const r2 = compare.request;
    expect(r2.ok && r2.value.b).toEqual({ source: 'run', runId: 'run-old' });
  });

  it('streams tokens into the columns, also those that arrive before the answer to the start call', async () => {
    const compare = useCompareStore();
    openModel();
    // The first token of the job the engine is about to name overtakes the call's answer.
    api.emit({ type: 'job.item', jobId: 'cmp-1', kind: 'compare', item: token('a', 0, 11) });
    await compare.start();
    expect(api.named('jobs.start')).toHaveLength(1);
    expect(compare.running).toBe(true);
    for (const [i, id] of [[1, 12], [2, 13]]) api.emit({ type: 'job.item', jobId: 'cmp-1', kind: 'compare', item: token('a', i, id) });
    api.emit({ type: 'job.item', jobId: 'someone-else', kind: 'compare', item: token('a', 3, 99) });
    expect(compare.tokens.a.map((t) => t.id)).toEqual([11, 12, 13]);
    // B has started: A is done, B's tokens are compared as they come.
    for (const [i, id] of [[0, 11], [1, 22]]) api.emit({ type: 'job.item', jobId: 'cmp-1', kind: 'compare', item: token('b', i, id) });
    expect(compare.diff.first).toBe(1);
    expect(compare.diff.a).toEqual(['same', 'first', 'diverged']);
    // A second start while one runs is ignored.
    await compare.start();
    expect(api.named('jobs.start')).toHaveLength(1);
  });

  it('cancels its job and is ready to start again', async () => {
    const compare = useCompareStore();
    openModel();
    await compare.start();
    await compare.cancel();
    expect(api.named('jobs.cancel')).toEqual([{ jobId: 'cmp-1' }]);
    expect(compare.job?.status).toBe('cancelled');
    expect(compare.running).toBe(false);
    expect(compare.canStart).toBe(true);
    await compare.start();
    expect(compare.jobId).toBe('cmp-2');
    expect(compare.tokens).toEqual({ a: [], b: [] });
  });

  it('"Compare with original" takes A from the run (the open model or its source path) and B as its output', async () => {
    const compare = useCompareStore();
    const app = useAppStore();
    openModel('model-1');
    const done = run('run-1', 'model-2', 5);
    useJobsStore().apply({ type: 'job.update', job: done });
    await compare.compareRun(done.result as CompressResult);
    expect(app.screen).toBe('compare');
    expect(api.named('jobs.start')[0]).toMatchObject({ kind: 'compare', a: { source: 'path', path: '/models/tiny' }, b: { source: 'run', runId: 'run-1' } });
    await flush();
  });

  it('reports a refused start as a readable error', async () => {
    const compare = useCompareStore();
    const app = useAppStore();
    openModel();
    api.handlers['jobs.start'] = () => { throw new Error('engine is busy'); };
    await compare.start();
    expect(compare.jobId).toBeNull();
    expect(app.notices[0]).toMatchObject({ kind: 'error', title: 'Could not start the comparison', message: 'engine is busy' });
  });
});
