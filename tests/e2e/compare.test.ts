// Browser mode end to end, part 3: the Compare screen. The sample against its
// LLM.int8() version (both columns fill, finite perplexities and KL, the layer
// and outlier charts draw), against the int4 g32 output of a run (reached from
// Results: KL > 0, top-1 agreement < 1), a model B that cannot run, and Cancel
// halfway through a comparison leaving the window usable.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cancelLatencyMs, useStudio } from './harness.js';
import { writeSyntheticModel } from './synthetic-model.js';

const studioOf = useStudio();

const statusOf = (page: Page) => page.getByTestId('compare-status').getAttribute('data-status');
/** A metric cell as a number ("7.028 ± 0.1793" → 7.028, "97.12% ± 0.19%" → 0.9712). */
async function metric(page: Page, key: string, col: string): Promise<number> {
  const text = (await page.getByTestId(`metric-${key}`).locator(`[data-col="${col}"]`).textContent()) ?? '';
  const first = text.replace(/^×/, '').split('±')[0].trim();
  return first.endsWith('%') ? parseFloat(first) / 100 : parseFloat(first);
}
/** Starts a comparison (the button) and waits for it to finish; the seconds it took. */
async function compareAndWait(page: Page, timeout = 120_000): Promise<number> {
  const before = await page.getByTestId('compare-status').getAttribute('data-job', { timeout: 1000 }).catch(() => null);
  const t0 = Date.now();
  await page.getByTestId('compare-start').click();
  await expect.poll(() => page.getByTestId('compare-status').getAttribute('data-job'), { timeout: 10_000 }).not.toBe(before);
  return waitDone(page, timeout, t0);
}
async function waitDone(page: Page, timeout = 120_000, t0 = Date.now()): Promise<number> {
  await expect.poll(() => statusOf(page), { timeout, interval: 100 }).toMatch(/done|failed|cancelled/);
  expect(await statusOf(page), await page.getByTestId('compare-status').textContent() ?? '').toBe('done');
  return (Date.now() - t0) / 1000;
}

describe('browser mode: compare', () => {
  it('compares the sample with its LLM.int8() version: both columns fill, metrics, layer and outlier charts', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('open-sample').click();
    await page.getByTestId('tensor-table').waitFor();
    await page.locator('[data-screen="compare"]').click();
    // Nothing has run yet: B defaults to A as LLM.int8().
    expect(await page.locator('[data-b="int8"]').getAttribute('aria-pressed')).toBe('true');
    await studio.screenshot('21-compare-setup');
    await page.getByTestId('compare-start').click();
    // Tokens stream into A's column while the job runs.
    await expect.poll(async () => Number(await page.getByTestId('gen-a').getAttribute('data-tokens')), { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    const seconds = await waitDone(page);
    console.log(`compare sample vs LLM.int8(): ${seconds.toFixed(1)} s in the window`);

    for (const side of ['a', 'b']) expect(Number(await page.getByTestId(`gen-${side}`).getAttribute('data-tokens'))).toBe(64);
    expect(await page.getByTestId('gen-a').textContent()).toContain('Once upon a time, there was a little girl named Lily');
    const pplA = await metric(page, 'ppl', 'a'), pplB = await metric(page, 'ppl', 'b');
    expect(Number.isFinite(pplA) && Number.isFinite(pplB)).toBe(true);
    expect(pplA).toBeGreaterThan(1);
    expect(Math.abs(pplB / pplA - 1)).toBeLessThan(0.01);
    const kl = await metric(page, 'kl-mean', 'value');
    expect(Number.isFinite(kl) && kl > 0).toBe(true);
    expect(await metric(page, 'top1', 'value')).toBeGreaterThan(0.9);
    await page.getByTestId('layer-chart').locator('canvas').first().waitFor();
    expect(await page.getByTestId('layer-chart').getAttribute('data-layers')).toBe('5');
    await page.getByTestId('outlier-chart').locator('canvas').first().waitFor();
    expect(await page.getByTestId('outlier-chart').getAttribute('data-layers')).toBe('5');
    await studio.screenshot('22-compare-int8');
    await page.getByTestId('metrics').scrollIntoViewIfNeeded();
    await studio.screenshot('23-compare-int8-charts');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await studio.screenshot('24-compare-int8-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('compares the sample with the int4 g32 output of a run, from Results: KL > 0, top-1 agreement < 1', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.locator('[data-screen="recipe"]').click();
    await page.locator('[data-preset="int4-g32"]').click();
    await expect.poll(() => page.getByTestId('run').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('job-panel').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    await page.getByTestId('to-results').click();
    await page.getByTestId('compare-with-original').click();
    expect(await page.locator('[data-b="run"]').getAttribute('aria-pressed')).toBe('true');
    const seconds = await waitDone(page);
    console.log(`compare sample vs int4 g32: ${seconds.toFixed(1)} s in the window`);
    expect(await metric(page, 'kl-mean', 'value')).toBeGreaterThan(0);
    expect(await metric(page, 'top1', 'value')).toBeLessThan(1);
    expect(await metric(page, 'size', 'vs')).toBeLessThan(1);
    expect(await page.getByTestId('outlier-chart').count()).toBe(0);
    expect(Number(await page.getByTestId('gen-b').getAttribute('data-tokens'))).toBeGreaterThan(0);
    await studio.screenshot('25-compare-int4');
  });

  it('says why a model B cannot run', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.locator('[data-b="path"]').click();
    await page.getByTestId('b-path').fill(join(studio.workDir, 'no-such-model'));
    await page.getByTestId('compare-start').click();
    await expect.poll(() => statusOf(page)).toBe('failed');
    expect(await page.getByTestId('compare-status').textContent()).toMatch(/Model B \(no-such-model\) cannot run in the engine: .*no such file or folder/);
    await studio.screenshot('26-compare-error');
  });

  it('cancels mid-comparison within a second and the window stays usable', async () => {
    const studio = studioOf();
    const { page } = studio;
    const model = join(studio.workDir, 'synthetic-compare');
    writeSyntheticModel(model, { hidden: 512, intermediate: 1408, layers: 4, vocab: 512 });
    await page.locator('[data-a="path"]').click();
    await page.getByTestId('a-path').fill(model);
    await page.locator('[data-b="int8"]').click();
    await page.getByTestId('max-tokens').fill('400');
    await page.getByTestId('max-tokens').blur();
    await page.keyboard.press('Control+Enter');
    await expect.poll(async () => Number(await page.getByTestId('gen-a').getAttribute('data-tokens')), { timeout: 60_000, interval: 50 }).toBeGreaterThan(5);
    await studio.screenshot('27-compare-streaming');
    const stoppedMs = await cancelLatencyMs(page, 'compare-cancel', 'compare-status');
    console.log(`compare cancel: stopped ${stoppedMs.toFixed(0)} ms after the click`);
    expect(stoppedMs).toBeLessThan(1000);
    await studio.screenshot('28-compare-cancelled');

    // Usable again: the sample against itself as LLM.int8() on a short slice of the text.
    await page.locator('[data-a="open"]').click();
    await page.getByTestId('max-tokens').fill('16');
    await page.getByTestId('max-chunks').fill('2');
    await page.getByTestId('max-chunks').blur();
    await compareAndWait(page, 60_000);
    expect(Number(await page.getByTestId('gen-b').getAttribute('data-tokens'))).toBe(16);
    expect(await page.getByTestId('metrics').textContent()).toContain('2 × 512 tokens');
  });
});
