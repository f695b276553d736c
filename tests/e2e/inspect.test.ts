// Browser mode end to end, part 1: open the bundled sample, inspect a tensor,
// edit a recipe; a corrupt model shows an error in words. Screenshots of each
// screen go to tests/e2e/artifacts/.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressModel } from '../../electron/studio/compress/index.js';
import { openModel } from '../../electron/studio/models/open-model.js';
import { parseRecipe } from '../../electron/studio/recipes/index.js';
import { useStudio } from './harness.js';

const studioOf = useStudio();

describe('browser mode: open and inspect', () => {
  it('shows the Start screen', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('open-sample').waitFor();
    await studio.screenshot('01-start');
    // Ctrl+O (Cmd+O on macOS) is Open: in the browser it goes to the path field.
    await page.keyboard.press('Control+O');
    await expect.poll(() => page.evaluate('document.activeElement?.dataset?.testid')).toBe('model-path');
  });

  it('opens the sample and fills the tensor table with statistics', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('open-sample').click();
    await page.getByTestId('tensor-table').waitFor();
    await page.getByTestId('stats-done').waitFor({ timeout: 30_000 });
    const rows = page.locator('[data-testid="tensor-table"] tbody tr');
    expect(await rows.count()).toBe(47); // stories260K: embeddings, final norm, 5 layers × 9 (the head is tied)
    // Every row has its statistics.
    const stdCells = await page.locator('[data-testid="tensor-table"] tbody tr td:nth-child(5)').allTextContents();
    expect(stdCells.filter((t) => t.trim().length === 0)).toEqual([]);
  });

  it('shows the histogram and channel chart of a picked tensor, and the heat map', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('tensor-filter').fill('layers.2 down_proj');
    await page.locator('[data-tensor="model.layers.2.mlp.down_proj.weight"]').click();
    const detail = page.getByTestId('tensor-detail');
    await expect.poll(() => detail.locator('h2').textContent()).toBe('model.layers.2.mlp.down_proj.weight');
    await detail.locator('[data-testid="histogram"] canvas').first().waitFor();
    await detail.locator('[data-testid="channel-chart"] canvas').first().waitFor();
    await page.getByTestId('heatmap').locator('canvas').first().waitFor();
    await page.getByTestId('tensor-filter').fill('');
    await studio.screenshot('02-model');
    await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
    await studio.screenshot('02b-model-heatmap');
    // The theme follows the system's: the same screen in dark.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await studio.screenshot('02c-model-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
  });

  it('edits a recipe and shows the size estimate', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('to-recipe').click();
    await page.locator('[data-preset="int4-g32"]').click();
    await expect.poll(() => page.getByTestId('estimate-after').textContent(), { timeout: 10_000 }).toMatch(/KiB|MiB/);
    await page.getByTestId('bits').selectOption('8');
    await expect.poll(() => page.locator('.badge', { hasText: 'edited' }).count()).toBe(1);
    await page.locator('[data-preset="int4-g32"]').click();
    await studio.screenshot('03-recipe');
  });

  it('shows why a corrupt model cannot be opened', async () => {
    const studio = studioOf();
    const { page } = studio;
    const bad = join(studio.workDir, 'corrupt');
    mkdirSync(bad, { recursive: true });
    copyFileSync(join(process.cwd(), 'resources', 'sample', 'stories260K', 'config.json'), join(bad, 'config.json'));
    // A safetensors header that claims more bytes than the file has.
    const header = Buffer.from(JSON.stringify({ 'model.embed_tokens.weight': { dtype: 'F32', shape: [512, 64], data_offsets: [0, 131072] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(bad, 'model.safetensors'), Buffer.concat([len, header, Buffer.alloc(100)]));
    await page.locator('[data-screen="start"]').click();
    await page.getByTestId('model-path').fill(bad);
    await page.getByTestId('open-path').click();
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/model\.safetensors/);
    await studio.screenshot('04-corrupt-model');
  });

  it('opens an int4 folder: one row per layer, typed int4, with the statistics of its dequantized weights', async () => {
    const studio = studioOf();
    const { page } = studio;
    const dir = join(studio.workDir, 'stories260K-int4');
    const recipe = parseRecipe({ quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } });
    await compressModel(await openModel(join(process.cwd(), 'resources', 'sample', 'stories260K')), recipe, dir);
    await page.locator('[data-screen="start"]').click();
    await page.getByTestId('model-path').fill(dir);
    await page.getByTestId('open-path').click();
    await page.getByTestId('stats-done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('stored-quantization').textContent()).toContain('compressed-tensors · pack-quantized int4 g32 sym');
    const rows = page.locator('[data-testid="tensor-table"] tbody tr');
    expect(await rows.count()).toBe(47); // the original's tensors, companions folded in
    // q, k, v, o, gate and up of 5 layers; down_proj (172 wide) stays F32.
    expect(await page.locator('[data-testid="tensor-table"] tbody tr .badge', { hasText: 'int4 g32 sym' }).count()).toBe(30);
    expect(await page.locator('[data-testid="tensor-table"] tbody tr[data-tensor$="weight_packed"]').count()).toBe(0);
    const stdCells = await page.locator('[data-testid="tensor-table"] tbody tr td:nth-child(5)').allTextContents();
    expect(stdCells.filter((t) => t.trim().length === 0)).toEqual([]);
    await page.locator('[data-tensor="model.layers.1.self_attn.q_proj.weight"]').click();
    const detail = page.getByTestId('tensor-detail');
    await expect.poll(() => detail.locator('h2').textContent()).toBe('model.layers.1.self_attn.q_proj.weight');
    expect(await detail.getByTestId('stored-parts').textContent()).toMatch(/weight_packed I32 \[64, 8\].*weight_scale F32 \[64, 2\]/);
    await detail.locator('[data-testid="histogram"] canvas').first().waitFor();
    await studio.screenshot('05-model-int4');
    await page.locator('[data-screen="start"]').click();
  });

  it('survives an engine crash: says so, restarts it and opens the model again', async () => {
    const studio = studioOf();
    const { page } = studio;
    await page.getByTestId('open-sample').click();
    await page.getByTestId('stats-done').waitFor({ timeout: 30_000 });
    const pid = Number(/engine pid (\d+)/.exec((await page.locator('.engine').textContent()) ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const notice = page.getByTestId('notice').filter({ hasText: 'restarted' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/stopped unexpectedly \(signal SIGKILL\)/);
    // The model is opened again in the new engine, statistics and all.
    await expect.poll(async () => Number(/engine pid (\d+)/.exec((await page.locator('.engine').textContent()) ?? '')?.[1]), { timeout: 10_000 }).not.toBe(pid);
    await page.getByTestId('stats-done').waitFor({ timeout: 30_000 });
    await studio.screenshot('11-engine-restarted');
  });
});
