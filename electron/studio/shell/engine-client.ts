// The shell's handle on the engine process: forwards calls, relays events, and
// when the process dies unexpectedly fails the calls in flight with
// ENGINE_CRASHED, tells the window, and starts a fresh engine — the window and
// the shell survive.
import type { EngineCallName, StudioEvent, StudioResult } from '../../common/contract.js';
import type { StudioErrorInfo } from '../../common/errors.js';
import type { EngineProcess, EngineSpawner, FromEngine } from '../../common/engine-protocol.js';

interface Pending {
  name: EngineCallName;
  resolve: (r: StudioResult<unknown>) => void;
}

export interface EngineClientOptions {
  /** Restarts within `crashWindowMs` beyond which the next restart waits `backoffMs`. */
  maxQuickRestarts?: number;
  crashWindowMs?: number;
  backoffMs?: number;
  /** How long `dispose` waits for a clean exit before killing. */
  shutdownGraceMs?: number;
}

export class EngineClient {
  private proc: EngineProcess | undefined;
  private ready = false;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private crashes: number[] = [];
  private restartCount = 0;
  private disposed = false;
  private readonly opts: Required<EngineClientOptions>;

  constructor(
    private readonly spawn: EngineSpawner,
    private readonly onEvent: (event: StudioEvent) => void,
    options: EngineClientOptions = {},
  ) {
    this.opts = { maxQuickRestarts: 3, crashWindowMs: 30_000, backoffMs: 2_000, shutdownGraceMs: 2_000, ...options };
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get restarts(): number {
    return this.restartCount;
  }

  start(): void {
    if (this.proc || this.disposed) return;
    const proc = this.spawn();
    this.proc = proc;
    this.ready = false;
    let gone = false;
    proc.onMessage((m) => this.receive(proc, m));
    proc.onExit((reason, expected) => {
      if (gone) return;
      gone = true;
      this.exited(proc, reason, expected);
    });
  }

  /** Sends a validated request to the engine; resolves with its result, never rejects. */
  call(name: EngineCallName, request: unknown): Promise<StudioResult<unknown>> {
    if (this.disposed) return Promise.resolve(failure('INTERNAL', 'the studio is shutting down'));
    this.start();
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { name, resolve });
      const send = () => this.proc?.send({ t: 'call', id, name, request });
      if (this.ready) send();
      else this.waiting.push(send);
    });
  }

  /** Asks the engine to stop, then kills it if it has not within the grace period. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill();
        resolve();
      }, this.opts.shutdownGraceMs);
      proc.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      proc.send({ t: 'shutdown' });
    });
    this.failPending('INTERNAL', 'the studio shut down before the engine answered');
  }

  private receive(proc: EngineProcess, m: FromEngine): void {
    if (proc !== this.proc) return;
    if (m.t === 'ready') {
      this.ready = true;
      for (const send of this.waiting.splice(0)) send();
    } else if (m.t === 'result') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m.result);
    } else if (m.t === 'event') {
      this.onEvent(m.event);
    }
  }

  private exited(proc: EngineProcess, reason: string, expected: boolean): void {
    if (proc !== this.proc) return;
    this.proc = undefined;
    this.ready = false;
    if (this.disposed || expected) return;
    const lost = [...this.pending.values()].map((p) => p.name);
    const message =
      `The engine process stopped unexpectedly (${reason})` +
      (lost.length ? ` while running ${[...new Set(lost)].join(', ')}` : '') +
      '. It has been restarted; open models were closed and running jobs were lost.';
    this.failPending('ENGINE_CRASHED', message);
    this.restartCount++;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < this.opts.crashWindowMs), now];
    const delay = this.crashes.length > this.opts.maxQuickRestarts ? this.opts.backoffMs : 0;
    const restart = () => {
      if (this.disposed) return;
      this.start();
      this.onEvent({ type: 'engine.restarted', message, lostCalls: lost, restarts: this.restartCount });
    };
    if (delay) setTimeout(restart, delay);
    else restart();
  }

  private failPending(code: StudioErrorInfo['code'], message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.waiting.length = 0;
    for (const p of all) p.resolve(failure(code, message));
  }
}

function failure(code: StudioErrorInfo['code'], message: string): StudioResult<unknown> {
  return { ok: false, error: { code, message } };
}
