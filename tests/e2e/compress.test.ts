// Browser mode end to end, part 2: run "int4 g32" on the sample to 100%, one
// bar per quantized tensor in the results, export, and the export opens again;
// Cancel halfway through a larger model leaves no file anywhere.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cancelLatencyMs, useStudio } from './harness.js';
import { writeSyntheticModel } from './synthetic-model.js';

const studioOf = useStudio();

/** Files (not folders) anywhere under `dir`. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)) : [];

describe('browser mode: run, results, export', () => {
  it('runs int4 g32 on the sample and reaches 100%', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('open-sample').click();
    await page.getByTestId('to-recipe').click();
    await page.locator('[data-preset="int4-g32"]').click();
    await expect.poll(() => page.getByTestId('run').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('run').click();
    const panel = page.getByTestId('job-panel');
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(await page.getByTestId('job-percent').textContent()).toBe('100.0%');
    expect(await page.getByTestId('job-log').textContent()).toContain('tensors changed');
    await studio.screenshot('05-run');
  });

  it('shows one error bar per quantized tensor, worst first, and before/after histograms', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('to-results').click();
    const chart = page.getByTestId('error-chart');
    await chart.locator('canvas').first().waitFor();
    // The sample has 35 linear weights; int4 g32 quantizes the 30 whose rows are whole groups of 32.
    expect(await chart.getAttribute('data-bars')).toBe('30');
    expect(await page.getByTestId('overlay').count()).toBe(3);
    await studio.screenshot('06-results');
  });

  it('exports to a typed path; the folder exists and opens as a model', async () => {
    const studio = studioOf();
    const { page } = studio;
    const target = join(studio.workDir, 'exports', 'stories-int4-g32');
    await page.getByTestId('export').click();
    await page.getByTestId('path-prompt').fill(join(studio.workDir, 'missing-folder', 'x'));
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.getByTestId('export-panel').getAttribute('data-status')).toBe('refused');
    expect(await page.getByTestId('export-panel').textContent()).toMatch(/missing-folder: folder not found/);

    (await import('node:fs')).mkdirSync(join(studio.workDir, 'exports'));
    await page.getByTestId('export').click();
    await page.getByTestId('path-prompt').fill(target);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.getByTestId('export-panel').getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    expect(readdirSync(target)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors']));
    expect(readdirSync(join(studio.workDir, 'exports'))).toEqual(['stories-int4-g32']);
    await studio.screenshot('07-exported');

    await page.getByTestId('open-exported').click();
    await page.getByTestId('tensor-table').waitFor();
    await expect.poll(() => page.locator('.page-header h1').textContent()).toBe('stories-int4-g32');
    expect(await page.locator('.badge', { hasText: 'quantized: compressed-tensors' }).count()).toBe(1);
    await studio.screenshot('08-exported-reopened');
  });

  it('cancels a run halfway within a second and leaves no file', async () => {
    const studio = studioOf();
    const { page } = studio;
    const model = join(studio.workDir, 'synthetic');
    writeSyntheticModel(model, { hidden: 1024, intermediate: 2816, layers: 6, vocab: 512 });
    const work = join(studio.workDir, 'work');
    const before = filesUnder(work);
    await page.locator('[data-screen="start"]').click();
    await page.getByTestId('model-path').fill(model);
    await page.getByTestId('open-path').click();
    await page.getByTestId('to-recipe').click();
    await page.locator('[data-preset="int4-g32"]').click();
    await expect.poll(() => page.getByTestId('run').isEnabled(), { timeout: 10_000 }).toBe(true);
    // The run shortcut: Ctrl+Enter (Cmd+Enter on macOS).
    await page.keyboard.press('Control+Enter');
    const percent = page.getByTestId('job-percent');
    await expect.poll(async () => parseFloat((await percent.textContent()) ?? '0'), { timeout: 60_000, interval: 50 }).toBeGreaterThan(5);
    const progressAtCancel = parseFloat((await percent.textContent()) ?? '0');
    expect(progressAtCancel).toBeLessThan(90);
    await studio.screenshot('09-run-in-progress');
    const stoppedMs = await cancelLatencyMs(page, 'cancel', 'job-panel');
    console.log(`cancel: stopped ${stoppedMs.toFixed(0)} ms after the click, at ${progressAtCancel}%`);
    expect(stoppedMs).toBeLessThan(1000);
    await page.getByTestId('run-cancelled').waitFor();
    expect(filesUnder(work).filter((f) => !before.includes(f))).toEqual([]);
    expect(readdirSync(studio.workDir).sort()).toEqual(['chromium-profile', 'exports', 'settings', 'synthetic', 'work'].filter((d) => existsSync(join(studio.workDir, d))).sort());
    await studio.screenshot('10-run-cancelled');
  });
});
