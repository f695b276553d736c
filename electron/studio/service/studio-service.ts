// The StudioApi implementation inside the engine process: each engine call is
// answered by the studio services (models, inspect, recipes, jobs). Requests
// arrive already validated by the gateway; errors go back as data.
import type { EngineCallName, StudioEvent, StudioRequest, StudioResponse, StudioResult } from '../../common/contract.js';
import { StudioError, toStudioError } from '../../common/errors.js';
import { native } from '../native/addon.js';
import { JobManager } from './job-manager.js';
import { ENGINE_ENV } from '../../common/engine-protocol.js';
import { loadRecipe, parseRecipe, saveRecipe } from '../recipes/index.js';
import { sampleModel, workDirFallback } from '../app-paths.js';
import { inspectModel, tensorDetail } from './inspect-calls.js';
import { ModelRegistry, type OpenModelFn } from './model-registry.js';
import { summarizeModel } from '../inspect/model-summary.js';
import { checkRecipe, presetInfos } from './recipe-calls.js';
import { runCompress, runExport } from './compress-jobs.js';
import { refName } from './compare-inputs.js';
import { runCompare } from './compare-job.js';
import { RunStore } from './run-store.js';

export type EngineHandlers = { [N in EngineCallName]: (req: StudioRequest<N>) => Promise<StudioResponse<N>> };

export interface StudioService {
  handle(name: EngineCallName, request: unknown): Promise<StudioResult<unknown>>;
  dispose(): Promise<void>;
}

export interface ServiceDeps {
  emit(event: StudioEvent): void;
  openModel: OpenModelFn;
}

export function createStudioService(deps: ServiceDeps): StudioService {
  const jobs = new JobManager(deps.emit);
  const models = new ModelRegistry(deps.openModel);
  const runs = new RunStore(process.env[ENGINE_ENV.workDir] || workDirFallback());
  const threads = Number(process.env[ENGINE_ENV.threads] ?? 0);
  if (threads > 0) native().setThreads(threads);

  const open = async (path: string) => {
    const { modelId, model } = await models.open(path);
    return summarizeModel(modelId, model);
  };

  const handlers: EngineHandlers = {
    'system.info': async () => {
      const info = native().systemInfo();
      // version, transport, dialogs, engine restarts and sample are filled in by the gateway.
      return {
        version: '', platform: process.platform, transport: 'browser', nativeDialogs: false,
        simd: info.simd, threads: info.threads, engine: { pid: process.pid, restarts: 0 }, sample: null,
      };
    },
    'models.open': (r) => open(r.path),
    'models.openSample': () => {
      const sample = sampleModel();
      if (!sample) throw new StudioError('NOT_FOUND', 'the bundled sample model (resources/sample/stories260K) is missing from this installation');
      return open(sample.path);
    },
    'models.close': async (r) => ({ closed: models.close(r.modelId) }),
    'models.tensorDetail': (r) => tensorDetail(models, r.modelId, r.tensor, r.bins),
    'recipes.presets': async () => presetInfos(),
    'recipes.check': async (r) => checkRecipe(r.recipe, models.get(r.modelId).tensors),
    'recipes.load': async (r) => ({ recipe: (await loadRecipe(r.path)) as Record<string, unknown> }),
    'recipes.save': async (r) => {
      await saveRecipe(r.path, parseRecipe(r.recipe));
      return { path: r.path };
    },
    'jobs.start': async (r) => {
      if (r.kind === 'export') {
        runs.get(r.runId); // refuse at once when the run's output is gone
        return jobs.start('export', `Export to ${r.path}`, (ctx) => runExport(ctx, runs, r.runId, r.path, r.overwrite));
      }
      if (r.kind === 'compare') {
        // Names now: an unknown model or run is refused before the job is queued.
        const title = `Compare ${refName(r.a, { models, runs })} with ${refName(r.b, { models, runs })}`;
        return jobs.start('compare', title, (ctx) => runCompare(ctx, { models, runs }, r));
      }
      const model = models.get(r.modelId);
      const name = summarizeModel(r.modelId, model).name;
      if (r.kind === 'inspect') return jobs.start('inspect', `Statistics of ${name}`, (ctx) => inspectModel(models, r.modelId, ctx));
      const recipeName = typeof r.recipe.name === 'string' ? r.recipe.name : 'Recipe';
      return jobs.start('compress', `${recipeName} on ${name}`, (ctx) => runCompress(ctx, models, runs, r.modelId, r.recipe));
    },
    'jobs.cancel': async (r) => jobs.cancel(r.jobId),
    'jobs.get': async (r) => jobs.get(r.jobId),
    'jobs.list': async () => jobs.list(),
  };

  return {
    async handle(name, request) {
      try {
        const handler = handlers[name] as ((r: unknown) => Promise<unknown>) | undefined;
        if (!handler) throw new StudioError('INVALID_ARGUMENT', `the engine has no call "${name}"`);
        return { ok: true, value: await handler(request) };
      } catch (e) {
        return { ok: false, error: toStudioError(e).toJSON() };
      }
    },
    async dispose() {
      jobs.cancelAll();
      models.closeAll();
      runs.dispose();
    },
  };
}
