// Runs the studio in browser mode (dist/serve.cjs, a fresh settings folder) and
// a headless system Chromium (playwright-core, never a downloaded browser)
// against it, at the smallest supported window size.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const ARTIFACTS = join(process.cwd(), 'tests', 'e2e', 'artifacts');

export interface Studio {
  url: string;
  page: Page;
  /** Files and folders under here are this run's (settings, exports). */
  workDir: string;
  logs: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`Chromium not found at ${p}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  return p;
}

async function startServer(settingsDir: string): Promise<{ child: ChildProcess; url: string; logs: string[] }> {
  const child = spawn(process.execPath, ['dist/serve.cjs', '--no-open', '--port', '0', '--settings', settingsDir, '--work', join(settingsDir, '..', 'work'), '--threads', '2'], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${logs.join('')}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      logs.push(String(d));
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(logs.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => logs.push(String(d)));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${logs.join('')}`)));
  });
  return { child, url, logs };
}

export async function launchStudio(): Promise<Studio> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'mcs-e2e-'));
  const { child, url, logs } = await startServer(join(workDir, 'settings'));
  // A fresh profile per run (playwright passes it as --user-data-dir).
  const context: BrowserContext = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') logs.push(`[console] ${m.text()}\n`);
  });
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}\n`));
  await page.goto(url);
  return {
    url,
    page,
    workDir,
    logs,
    async screenshot(name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await context.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** One studio for the tests of a file: started before them, closed (with its logs on page errors) after. */
export function useStudio(): () => Studio {
  let studio: Studio | undefined;
  beforeAll(async () => {
    studio = await launchStudio();
  });
  afterAll(async () => {
    if (studio?.logs.some((l) => l.startsWith('[pageerror]'))) console.error(studio.logs.join(''));
    await studio?.close();
  });
  return () => {
    if (!studio) throw new Error('the studio has not started');
    return studio;
  };
}

/**
 * Clicks a Cancel button and returns the milliseconds, measured in the page,
 * from the click reaching it to the status element saying 'cancelled'.
 * Delegated listeners: the button and the panel may re-render before the click.
 * (In-page code as text: this file is type-checked without the DOM library.)
 */
export async function cancelLatencyMs(page: Page, cancelTestId: string, statusTestId: string): Promise<number> {
  await page.evaluate(`(() => {
    window.clickedAt = window.stoppedAt = undefined;
    document.addEventListener('click', (e) => {
      if (e.target.closest('[data-testid="${cancelTestId}"]') && window.clickedAt === undefined) window.clickedAt = performance.now();
    }, { capture: true });
    new MutationObserver(() => {
      const panel = document.querySelector('[data-testid="${statusTestId}"]');
      if (panel && panel.getAttribute('data-status') === 'cancelled' && window.stoppedAt === undefined) window.stoppedAt = performance.now();
    }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-status'] });
  })()`);
  await page.getByTestId(cancelTestId).click();
  await expect.poll(() => page.getByTestId(statusTestId).getAttribute('data-status'), { interval: 20, timeout: 10_000 }).toBe('cancelled');
  return (await page.evaluate('window.stoppedAt - window.clickedAt')) as number;
}
