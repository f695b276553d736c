// The engine runs in its own process; when it dies the calls in flight fail
// with ENGINE_CRASHED, the window is told, a fresh engine starts, and the
// next calls work.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, SystemInfo } from '../../../electron/common/contract.js';
import { testShell, type TestShell } from '../../helpers/studio-shell.js';

let shell: TestShell | undefined;
afterEach(async () => {
  await shell?.close();
  shell = undefined;
});

async function info(s: TestShell): Promise<SystemInfo> {
  const r = await s.gateway.handle('system.info', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as SystemInfo;
}

describe('engine process', () => {
  it('answers from a separate process', async () => {
    shell = testShell();
    const i = await info(shell);
    expect(i.engine.pid).toBeGreaterThan(0);
    expect(i.engine.pid).not.toBe(process.pid);
    expect(i.threads).toBeGreaterThan(0);
    expect(i.transport).toBe('browser');
    expect(i.version).toBe('test');
  });

  it('restarts after being killed, and says so', async () => {
    shell = testShell();
    const first = (await info(shell)).engine.pid as number;
    process.kill(first, 'SIGKILL');
    const e = (await shell.nextEvent((x) => x.type === 'engine.restarted')) as EngineEvent;
    expect(e.message).toMatch(/stopped unexpectedly \(signal SIGKILL\)/);
    expect(e.restarts).toBe(1);
    const again = await info(shell);
    expect(again.engine.pid).not.toBe(first);
    expect(again.engine.restarts).toBe(1);
  });

  it('fails the calls in flight with ENGINE_CRASHED', async () => {
    shell = testShell();
    const pid = (await info(shell)).engine.pid as number;
    // Freeze the engine so it cannot answer, then kill it with the call pending.
    process.kill(pid, 'SIGSTOP');
    const pending = shell.gateway.handle('jobs.list', {});
    await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('ENGINE_CRASHED');
      expect(r.error.message).toMatch(/while running jobs\.list/);
    }
    const e = (await shell.nextEvent((x) => x.type === 'engine.restarted')) as EngineEvent;
    expect(e.lostCalls).toEqual(['jobs.list']);
    expect((await shell.gateway.handle('jobs.list', {})).ok).toBe(true);
  });

  it('stops the engine cleanly on dispose', async () => {
    shell = testShell();
    const pid = (await info(shell)).engine.pid as number;
    await shell.dispose();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(shell.events.some((e) => e.type === 'engine.restarted')).toBe(false);
  });
});
