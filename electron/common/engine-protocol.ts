// Messages between the shell (Electron main process or the browser-mode server)
// and the engine process. Both directions carry plain structured-cloneable data.
import type { EngineCallName, StudioEvent, StudioResult } from './contract.js';

export type ToEngine =
  | { t: 'call'; id: number; name: EngineCallName; request: unknown }
  | { t: 'shutdown' };

export type FromEngine =
  | { t: 'ready'; pid: number }
  | { t: 'result'; id: number; result: StudioResult<unknown> }
  | { t: 'event'; event: StudioEvent };

/** One running engine process, whichever way it was started. */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** Called once when the process is gone; `reason` in words ("exit code 1", "signal SIGKILL"). */
  onExit(listener: (reason: string, expected: boolean) => void): void;
  kill(): void;
}

export type EngineSpawner = () => EngineProcess;

/** Settings the shell hands to the engine process through its environment. */
export const ENGINE_ENV = {
  /** Threads for the native pool (default: all cores). */
  threads: 'MCS_ENGINE_THREADS',
  /** Folder for compress outputs waiting to be exported (large: on a real disk, not tmpfs). */
  workDir: 'MCS_WORK_DIR',
} as const;
