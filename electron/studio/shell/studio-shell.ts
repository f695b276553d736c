// What both shells (the desktop main process and the browser-mode server) set
// up the same way: the engine process, the gateway in front of it, the grants
// and the recent list, and one fan-out of events to the window(s).
import { join } from 'node:path';
import type { StudioEvent } from '../../common/contract.js';
import { EngineClient, type EngineClientOptions } from './engine-client.js';
import type { EngineSpawner } from '../../common/engine-protocol.js';
import { createGateway, type Gateway, type ShellHost } from './gateway.js';
import { PathGrants } from './path-grants.js';
import { RecentModels } from './recent-models.js';

export interface StudioShellOptions {
  spawner: EngineSpawner;
  host: ShellHost;
  /** Where recent models are remembered; null: this session only. */
  settingsDir: string | null;
  engineOptions?: EngineClientOptions;
}

export interface StudioShell {
  gateway: Gateway;
  engine: EngineClient;
  grants: PathGrants;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  dispose(): Promise<void>;
}

export function createStudioShell(opts: StudioShellOptions): StudioShell {
  const listeners = new Set<(event: StudioEvent) => void>();
  const engine = new EngineClient(opts.spawner, (event) => {
    for (const l of listeners) l(event);
  }, opts.engineOptions);
  const grants = new PathGrants(opts.host.sample ? [opts.host.sample.path] : []);
  const recents = new RecentModels(opts.settingsDir ? join(opts.settingsDir, 'recent-models.json') : null);
  const gateway = createGateway({ engine, host: opts.host, grants, recents });
  engine.start();
  return {
    gateway,
    engine,
    grants,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => engine.dispose(),
  };
}
