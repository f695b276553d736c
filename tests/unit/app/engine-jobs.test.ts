// Run and Export through the real engine process: the sample compressed with
// "int4 g32", one result per changed tensor with its error and histograms,
// exported atomically and opened again; Cancel leaves nothing behind.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompressResult, ExportResult, JobInfo, ModelSummary, StudioEvent, StudioResult } from '../../../electron/common/contract.js';
import { PRESETS } from '../../../electron/studio/recipes/index.js';
import { testShell, type TestShell } from '../../helpers/studio-shell.js';

let shell: TestShell;
let model: ModelSummary;
const out = mkdtempSync(join(tmpdir(), 'mcs-export-'));
const int4g32 = PRESETS.find((p) => p.id === 'int4-g32')!.recipe as Record<string, unknown>;

async function call<T>(name: string, payload: unknown): Promise<T> {
  const r = (await shell.gateway.handle(name, payload)) as StudioResult<T>;
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function finished(jobId: string): Promise<JobInfo> {
  return shell
    .nextEvent((e: StudioEvent) => e.type === 'job.update' && e.job.jobId === jobId && e.job.finishedAt !== null, 60_000)
    .then((e) => (e as { job: JobInfo }).job);
}

beforeAll(async () => {
  shell = testShell();
  model = await call<ModelSummary>('models.openSample', {});
});
afterAll(async () => {
  await shell.close();
  rmSync(out, { recursive: true, force: true });
});

const workFiles = () => {
  const root = join(shell.settingsDir, 'work');
  return existsSync(root) ? readdirSync(root, { recursive: true }).map(String) : [];
};

describe('compress and export jobs', () => {
  let run: CompressResult;

  it('runs int4 g32 on the sample to 100% with one measured result per quantized tensor', async () => {
    const job = await call<JobInfo>('jobs.start', { kind: 'compress', modelId: model.modelId, recipe: int4g32 });
    const done = await finished(job.jobId);
    expect(done.status).toBe('done');
    expect(done.progress?.fraction).toBe(1);
    run = done.result as CompressResult;
    const quantized = run.tensors.filter((t) => t.kind === 'quantized');
    const check = await call<{ estimate: { targets: number } }>('recipes.check', { modelId: model.modelId, recipe: int4g32 });
    expect(quantized).toHaveLength(check.estimate.targets);
    for (const t of quantized) {
      expect(t.error?.snrDb).toBeGreaterThan(10);
      expect(t.histBefore?.counts.length).toBe(96);
      expect(t.histAfter?.lo).toBe(t.histBefore?.lo);
      expect(t.bitsPerWeight).toBeLessThan(6);
    }
    expect(run.skipped.map((s) => s.name)).toEqual(model.tensors.filter((t) => t.role === 'down_proj').map((t) => t.name));
    expect(run.bytesAfter).toBeLessThan(run.bytesBefore);
    expect(run.suggestedName).toBe('stories260k-int4-g32');
    const progress = shell.events.filter((e) => e.type === 'job.progress' && e.jobId === job.jobId);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('exports the run to the chosen path, which then opens as a model', async () => {
    const target = join(out, 'stories-int4');
    const job = await call<JobInfo>('jobs.start', { kind: 'export', runId: run.runId, path: target });
    const done = await finished(job.jobId);
    expect(done.status).toBe('done');
    const r = done.result as ExportResult;
    expect(r.path).toBe(target);
    expect(readdirSync(target).sort()).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    const again = await call<ModelSummary>('models.open', { path: target });
    expect(again.quantization).toBe('compressed-tensors');
    expect(readdirSync(out)).toEqual(['stories-int4']); // no temporary left beside it
  });

  it('refuses to replace an existing export unless asked to', async () => {
    const target = join(out, 'stories-int4');
    const job = await call<JobInfo>('jobs.start', { kind: 'export', runId: run.runId, path: target });
    const done = await finished(job.jobId);
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(/already exists/);
    const again = await call<JobInfo>('jobs.start', { kind: 'export', runId: run.runId, path: target, overwrite: true });
    expect((await finished(again.jobId)).status).toBe('done');
  });

  it('cancels a run and leaves no output in the work folder', async () => {
    const before = workFiles().length;
    const job = await call<JobInfo>('jobs.start', { kind: 'compress', modelId: model.modelId, recipe: int4g32 });
    await call('jobs.cancel', { jobId: job.jobId });
    const done = await finished(job.jobId);
    expect(done.status).toBe('cancelled');
    expect(workFiles().length).toBe(before);
    expect(workFiles().some((f) => f.includes(job.jobId))).toBe(false);
  });

  it('runs a GGUF recipe into one file, exports it, and the file opens as a GGUF model', async () => {
    const q80 = PRESETS.find((p) => p.id === 'q8_0')!.recipe as Record<string, unknown>;
    const job = await call<JobInfo>('jobs.start', { kind: 'compress', modelId: model.modelId, recipe: q80 });
    const done = await finished(job.jobId);
    expect(done.status).toBe('done');
    const r = done.result as CompressResult;
    expect(r.format).toBe('gguf');
    expect(r.suggestedName).toBe('stories260k-q8-0.gguf');
    const target = join(out, r.suggestedName);
    const exp = await call<JobInfo>('jobs.start', { kind: 'export', runId: r.runId, path: target });
    expect((await finished(exp.jobId)).status).toBe('done');
    const again = await call<ModelSummary>('models.open', { path: target });
    expect(again.format).toBe('gguf');
    expect(again.dtypeMix.map((d) => d.dtype)).toContain('Q8_0');
  });

  it('says so when a run’s output is gone', async () => {
    const r = await shell.gateway.handle('jobs.start', { kind: 'export', runId: 'job-nope', path: join(out, 'x') });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('recipe calls', () => {
  it('lists the presets and checks a recipe against the model, naming each problem', async () => {
    const presets = await call<{ id: string }[]>('recipes.presets', {});
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining(['int8-channel', 'int4-g128', 'int4-g32', 'nf4-dq', 'q4_0', 'magnitude-50', 'sparse-2-4']));
    const bad = await call<{ valid: boolean; issues: { path: string; message: string }[] }>('recipes.check', {
      modelId: model.modelId, recipe: { quantize: { method: 'rtn', bits: 11, granularity: 'group' } },
    });
    expect(bad.valid).toBe(false);
    expect(bad.issues.map((i) => i.path)).toEqual(['quantize.bits', 'quantize.group']);
    const mixed = await call<{ valid: boolean; issues: { message: string }[] }>('recipes.check', {
      modelId: model.modelId, recipe: { quantize: { method: 'rtn', bits: 4 }, rules: [{ match: 'down_proj', quantize: { method: 'gguf', type: 'q8_0' } }] },
    });
    expect(mixed.valid).toBe(false);
    expect(mixed.issues[0].message).toMatch(/mixes/);
  });

  it('saves a recipe where the user typed, and loads it back', async () => {
    const file = join(out, 'my-recipe.yaml');
    await call('recipes.save', { path: file, recipe: int4g32 });
    const { recipe } = await call<{ recipe: { quantize: { group: number } } }>('recipes.load', { path: file });
    expect(recipe.quantize.group).toBe(32);
    const r = await shell.gateway.handle('recipes.save', { path: join(out, 'nope', 'r.yaml'), recipe: int4g32 });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
