// @vitest-environment happy-dom
// The window's stores against a test StudioApi: what each store asks the
// engine, and how it keeps its state from the answers and the pushed events.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { StudioError } from '../../../../electron/common/errors';
import { provideStudioApi } from '../../../../renderer/src/api/client';
import { useAppStore } from '../../../../renderer/src/stores/app';
import { routeEvents } from '../../../../renderer/src/stores/events';
import { useJobsStore } from '../../../../renderer/src/stores/jobs';
import { useModelsStore } from '../../../../renderer/src/stores/models';
import { useRecipeStore } from '../../../../renderer/src/stores/recipe';
import { job, statsRow, summary } from './fixtures';
import { TestApi, flush } from './test-api';

let api: TestApi;
let opened = 0;

beforeEach(() => {
  setActivePinia(createPinia());
  opened = 0;
  api = new TestApi({
    'system.info': () => ({
      version: '1', platform: 'linux', transport: 'browser', nativeDialogs: false, simd: 'avx2', threads: 2,
      engine: { pid: 7, restarts: 0 }, sample: { name: 'stories260K', path: '/app/sample' },
    }),
    'models.open': (r) => summary(`model-${++opened}`, r.path),
    'models.openSample': () => summary(`model-${++opened}`, '/app/sample'),
    'models.recent': () => [],
    'models.close': () => ({ closed: true }),
    'models.tensorDetail': (r) => ({
      modelId: r.modelId, tensor: r.tensor, stats: statsRow(r.tensor),
      histogram: { lo: -1, hi: 1, counts: [1, 2, 3] }, channelAbsmax: { values: [0.1, 0.2], rowsPerPoint: 1 },
    }),
    'jobs.start': (r) => job(`job-${(r as { modelId: string }).modelId}`),
    'jobs.cancel': (r) => job(r.jobId, 'cancelled'),
    'jobs.list': () => [],
  });
  provideStudioApi(api);
});

describe('app store', () => {
  it('loads what the engine is', async () => {
    const app = useAppStore();
    await app.init();
    expect(app.info?.threads).toBe(2);
    expect(app.isDesktop).toBe(false);
  });

  it('keeps a failed start as a readable error instead of a blank window', async () => {
    api.handlers['system.info'] = () => { throw new StudioError('INTERNAL', 'native addon not found'); };
    const app = useAppStore();
    await app.init();
    expect(app.bootError?.message).toBe('native addon not found');
  });

  it('shows errors with where they happened, newest first, without repeats', () => {
    const app = useAppStore();
    app.reportError('Could not open', new StudioError('BAD_FILE', 'truncated header', { file: '/m/x.gguf', tensor: 'blk.0.attn_q.weight' }));
    app.reportError('Could not open', new Error('plain'));
    app.reportError('Again', new Error('plain'));
    expect(app.notices.map((n) => n.message)).toEqual(['plain', 'truncated header']);
    expect(app.notices[1].detail).toBe('/m/x.gguf · tensor blk.0.attn_q.weight');
    app.dismiss(app.notices[0].id);
    expect(app.notices).toHaveLength(1);
  });
});

describe('models store', () => {
  it('opens a model, shows the Model screen, starts the statistics and selects a linear weight', async () => {
    const models = useModelsStore();
    expect(await models.open('/models/tiny')).toBe(true);
    await flush();
    expect(models.current?.modelId).toBe('model-1');
    expect(useAppStore().screen).toBe('model');
    expect(api.named('jobs.start')).toEqual([{ kind: 'inspect', modelId: 'model-1' }]);
    expect(models.inspectJobId).toBe('job-model-1');
    expect(models.selected).toBe('model.layers.0.self_attn.q_proj.weight');
    expect(models.detail?.tensor).toBe('model.layers.0.self_attn.q_proj.weight');
    expect(api.named('models.recent')).toHaveLength(1); // the list is refreshed
  });

  it('keeps the reason a model did not open, and stays on Start', async () => {
    api.handlers['models.open'] = () => { throw new StudioError('BAD_FILE', '/m/bad.gguf: not a GGUF file (magic is "PK\\x03\\x04")', { file: '/m/bad.gguf' }); };
    const models = useModelsStore();
    expect(await models.open('/m/bad.gguf')).toBe(false);
    expect(models.openError).toMatchObject({ code: 'BAD_FILE', file: '/m/bad.gguf' });
    expect(models.current).toBeNull();
    expect(useAppStore().screen).toBe('start');
    expect(models.opening).toBeNull();
  });

  it('opens the sample through its own call', async () => {
    const models = useModelsStore();
    await models.open(null);
    expect(api.named('models.openSample')).toHaveLength(1);
    expect(models.current?.path).toBe('/app/sample');
  });

  it('closes the previous model when another opens', async () => {
    const models = useModelsStore();
    await models.open('/a');
    await models.open('/b');
    expect(api.named('models.close')).toEqual([{ modelId: 'model-1' }]);
  });

  it('takes statistics rows only from its own inspect job', async () => {
    const models = useModelsStore();
    await models.open('/models/tiny');
    models.addStats('job-other', statsRow('model.norm.weight'));
    models.addStats('job-model-1', statsRow('model.layers.0.self_attn.q_proj.weight', 0.01));
    expect([...models.stats.keys()]).toEqual(['model.layers.0.self_attn.q_proj.weight']);
  });

  it('shows why a tensor has no charts, and ignores a stale answer', async () => {
    const models = useModelsStore();
    await models.open('/models/tiny');
    let release!: () => void;
    api.handlers['models.tensorDetail'] = (r) => new Promise((resolve) => {
      release = () => resolve({ modelId: r.modelId, tensor: r.tensor, stats: statsRow(r.tensor), histogram: { lo: 0, hi: 1, counts: [1] }, channelAbsmax: null });
    });
    const slow = models.select('model.embed_tokens.weight');
    api.handlers['models.tensorDetail'] = () => { throw new StudioError('UNSUPPORTED', 'statistics of Q4_K tensors are not available yet'); };
    await models.select('model.norm.weight');
    release();
    await slow;
    expect(models.selected).toBe('model.norm.weight');
    expect(models.detail).toBeNull();
    expect(models.detailError?.message).toMatch(/Q4_K/);
  });
});

describe('jobs store', () => {
  it('follows a job through its events', () => {
    const jobs = useJobsStore();
    jobs.apply({ type: 'job.update', job: job('j1', 'running') });
    jobs.apply({ type: 'job.progress', jobId: 'j1', progress: { stage: 's', fraction: 0.5, itemsDone: 1, itemsTotal: 2, bytesDone: 5, bytesTotal: 10, bytesPerSecond: 10, etaSeconds: 0.5, elapsedSeconds: 0.5 } });
    jobs.apply({ type: 'job.log', jobId: 'j1', entry: { level: 'info', message: 'tensor a', time: 1 } });
    expect(jobs.jobs.j1.progress?.fraction).toBe(0.5);
    expect(jobs.logs.j1.map((l) => l.message)).toEqual(['tensor a']);
    // A state update carrying older progress does not move the bar back.
    jobs.apply({ type: 'job.update', job: { ...job('j1', 'running'), progress: { stage: 's', fraction: 0.1, itemsDone: 0, itemsTotal: 2, bytesDone: 1, bytesTotal: 10, bytesPerSecond: null, etaSeconds: null, elapsedSeconds: 0.1 } } });
    expect(jobs.jobs.j1.progress?.fraction).toBe(0.5);
    jobs.apply({ type: 'job.update', job: job('j1', 'done', 3) });
    expect(jobs.jobs.j1.status).toBe('done');
    // The answer to a call that left the engine earlier does not undo it.
    jobs.apply({ type: 'job.update', job: job('j1', 'running', 2) });
    expect(jobs.jobs.j1.status).toBe('done');
    // Progress after the end is ignored.
    jobs.apply({ type: 'job.progress', jobId: 'j1', progress: { stage: 's', fraction: 0.2, itemsDone: 0, itemsTotal: 2, bytesDone: 0, bytesTotal: 10, bytesPerSecond: null, etaSeconds: null, elapsedSeconds: 3 } });
    expect(jobs.jobs.j1.progress).toBeNull();
  });

  it('marks running jobs lost when the engine restarts', () => {
    const jobs = useJobsStore();
    jobs.apply({ type: 'job.update', job: job('j1', 'running') });
    jobs.apply({ type: 'job.update', job: job('j2', 'done') });
    jobs.markLost('engine stopped');
    expect(jobs.jobs.j1.status).toBe('failed');
    expect(jobs.jobs.j1.error?.code).toBe('ENGINE_CRASHED');
    expect(jobs.jobs.j2.status).toBe('done');
  });

  it('cancels through the engine', async () => {
    const jobs = useJobsStore();
    await jobs.cancel('j9');
    expect(api.named('jobs.cancel')).toEqual([{ jobId: 'j9' }]);
    expect(jobs.jobs.j9.status).toBe('cancelled');
  });
});

describe('event routing', () => {
  it('streams inspect rows into the model and reports failed jobs', async () => {
    routeEvents(api);
    const models = useModelsStore();
    await models.open('/models/tiny');
    api.emit({ type: 'job.item', jobId: 'job-model-1', kind: 'inspect', item: statsRow('model.norm.weight') });
    expect(models.stats.has('model.norm.weight')).toBe(true);
    api.emit({ type: 'job.update', job: { ...job('job-model-1', 'failed', 5), error: { code: 'BAD_FILE', message: 'short read', tensor: 'model.norm.weight' } } });
    expect(useAppStore().notices[0]).toMatchObject({ kind: 'error', message: 'short read', detail: 'model.norm.weight' });
  });

  it('after an engine restart: tells the person, marks jobs lost, opens the model again', async () => {
    routeEvents(api);
    const models = useModelsStore();
    await models.open('/models/tiny');
    useJobsStore().apply({ type: 'job.update', job: job('job-model-1', 'running') });
    api.emit({ type: 'engine.restarted', message: 'The engine process stopped unexpectedly (signal SIGKILL).', lostCalls: [], restarts: 1 });
    await flush();
    await flush();
    expect(useAppStore().notices[0].message).toMatch(/SIGKILL/);
    expect(useJobsStore().jobs['job-model-1'].status).toBe('failed');
    expect(models.current?.modelId).toBe('model-2');
    expect(api.named('models.open')).toEqual([{ path: '/models/tiny' }, { path: '/models/tiny' }]);
  });
});

describe('recipe store', () => {
  beforeEach(() => {
    api.handlers['recipes.presets'] = () => [
      { id: 'int8-channel', label: 'int8 per-channel', summary: '', recipe: { quantize: { method: 'rtn', bits: 8, granularity: 'channel' } } },
      { id: 'int4-g32', label: 'int4 g32', summary: '', recipe: { name: 'int4 g32', quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } } },
    ];
    api.handlers['recipes.check'] = (r) => ({
      valid: true, issues: [], recipe: r.recipe, format: 'compressed-tensors', tensors: [], skipped: [],
      estimate: { bytesBefore: 100, bytesAfter: 20, targetBitsBefore: 32, targetBitsAfter: 4.5, targets: 4 },
    });
  });

  it('starts from the int4 g32 preset', async () => {
    const recipe = useRecipeStore();
    await recipe.loadPresets();
    expect(recipe.presetId).toBe('int4-g32');
    expect(recipe.doc.quantize).toMatchObject({ bits: 4, group: 32 });
  });

  it('checks the recipe against the open model after edits settle, once', async () => {
    vi.useFakeTimers();
    try {
      const models = useModelsStore();
      await models.open('/models/tiny');
      const recipe = useRecipeStore();
      await recipe.loadPresets();
      await vi.runAllTimersAsync();
      const before = api.named('recipes.check').length;
      recipe.setDoc({ quantize: { method: 'rtn', bits: 8, granularity: 'channel' } });
      await Promise.resolve();
      recipe.setDoc({ quantize: { method: 'rtn', bits: 3, granularity: 'channel' } });
      await vi.runAllTimersAsync();
      const checks = api.named('recipes.check').slice(before) as { recipe: { quantize: { bits: number } } }[];
      expect(checks).toHaveLength(1);
      expect(checks[0].recipe.quantize.bits).toBe(3);
      expect(recipe.presetId).toBeNull();
      expect(recipe.check?.estimate?.bytesAfter).toBe(20);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps only the newest check when answers come back out of order', async () => {
    const models = useModelsStore();
    await models.open('/models/tiny');
    const recipe = useRecipeStore();
    const pending: ((v: unknown) => void)[] = [];
    api.handlers['recipes.check'] = (r) => new Promise((resolve) => pending.push(() => resolve({
      valid: true, issues: [], recipe: r.recipe, format: 'gguf', tensors: [], skipped: [],
      estimate: { bytesBefore: 1, bytesAfter: (r.recipe as { n: number }).n, targetBitsBefore: 32, targetBitsAfter: 4, targets: 1 },
    })));
    recipe.setDoc({ n: 1 } as never);
    const first = recipe.runCheck();
    recipe.setDoc({ n: 2 } as never);
    const second = recipe.runCheck();
    pending[1](undefined);
    await second;
    pending[0](undefined);
    await first;
    expect(recipe.check?.estimate?.bytesAfter).toBe(2);
  });
});

describe('statistics that arrive before the job is known', () => {
  it('keeps rows streamed before jobs.start answered, and takes the final result as the table', async () => {
    routeEvents(api);
    const models = useModelsStore();
    let answer!: () => void;
    api.handlers['jobs.start'] = (r) => new Promise((resolve) => (answer = () => resolve(job(`job-${(r as { modelId: string }).modelId}`))));
    const opening = models.open('/models/tiny');
    await flush();
    api.emit({ type: 'job.item', jobId: 'job-model-1', kind: 'inspect', item: statsRow('model.norm.weight') });
    answer();
    await opening;
    expect(models.stats.has('model.norm.weight')).toBe(true);
    api.emit({ type: 'job.update', job: { ...job('job-model-1', 'done', 5), result: { modelId: 'model-1', rows: [statsRow('a'), statsRow('b')] } } });
    expect([...models.stats.keys()]).toEqual(['a', 'b']);
  });
});
