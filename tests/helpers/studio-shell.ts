// A real studio shell for tests: the engine in a child process (dist/engine-host.cjs,
// built by the unit setup), a gateway, grants and a temporary settings folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudioEvent } from '../../electron/common/contract.js';
import { engineHostModule, sampleModel } from '../../electron/studio/app-paths.js';
import type { ShellHost } from '../../electron/studio/shell/gateway.js';
import { createStudioShell, type StudioShell } from '../../electron/studio/shell/studio-shell.js';
import { forkSpawner } from '../../electron/studio/shell/fork-spawner.js';

export interface TestShell extends StudioShell {
  events: StudioEvent[];
  settingsDir: string;
  /** Resolves with the first event that matches. */
  nextEvent(match: (e: StudioEvent) => boolean, timeoutMs?: number): Promise<StudioEvent>;
  close(): Promise<void>;
}

export function testShell(host: Partial<ShellHost> = {}): TestShell {
  const settingsDir = mkdtempSync(join(tmpdir(), 'mcs-settings-'));
  const shell = createStudioShell({
    spawner: forkSpawner(engineHostModule(), { MCS_ENGINE_THREADS: '2', MCS_WORK_DIR: join(settingsDir, 'work') }),
    host: { transport: 'browser', version: 'test', typedPathsAreChoices: true, sample: sampleModel(), ...host },
    settingsDir,
    engineOptions: { backoffMs: 50 },
  });
  const events: StudioEvent[] = [];
  shell.onEvent((e) => events.push(e));
  return {
    ...shell,
    events,
    settingsDir,
    nextEvent(match, timeoutMs = 20_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { off(); reject(new Error('timed out waiting for an event')); }, timeoutMs);
        const off = shell.onEvent((e) => {
          if (match(e)) { clearTimeout(timer); off(); resolve(e); }
        });
      });
    },
    async close() {
      await shell.dispose();
      rmSync(settingsDir, { recursive: true, force: true });
    },
  };
}
