// The contract: every call has a schema and a response; payloads that do not
// match are refused at the gateway before anything runs.
import { describe, expect, it } from 'vitest';
import { shellCalls, studioCallNames, studioCalls, isStudioCallName, type StudioResult } from '../../../electron/common/contract.js';
import { createGateway, type EngineLink } from '../../../electron/studio/shell/gateway.js';
import { PathGrants } from '../../../electron/studio/shell/path-grants.js';
import { RecentModels } from '../../../electron/studio/shell/recent-models.js';

function gateway() {
  const seen: string[] = [];
  const engine: EngineLink = {
    pid: 1, restarts: 0,
    async call(name): Promise<StudioResult<unknown>> {
      seen.push(name);
      return { ok: true, value: {} };
    },
  };
  const gw = createGateway({
    engine, grants: new PathGrants(), recents: new RecentModels(null),
    host: { transport: 'browser', version: 't', typedPathsAreChoices: true, sample: null },
  });
  return { gw, seen };
}

describe('StudioApi contract', () => {
  it('names each call once, with a schema', () => {
    expect(new Set(studioCallNames).size).toBe(studioCallNames.length);
    for (const n of studioCallNames) expect(typeof studioCalls[n].safeParse).toBe('function');
    for (const n of shellCalls) expect(isStudioCallName(n)).toBe(true);
    expect(isStudioCallName('toString')).toBe(false);
    expect(isStudioCallName('__proto__')).toBe(false);
  });

  it.each([
    ['models.open', {}, /path/],
    ['models.open', { path: '' }, /path/],
    ['models.open', { path: 42 }, /path/],
    ['models.open', { path: '/x', extra: true }, /extra|Unrecognized/i],
    ['models.tensorDetail', { modelId: 'm', tensor: 'w', bins: 3 }, /bins/],
    ['models.tensorDetail', { modelId: '../m', tensor: 'w' }, /modelId/],
    ['jobs.start', { kind: 'format-disk', modelId: 'm' }, /kind/],
    ['jobs.cancel', { jobId: 'x'.repeat(500) }, /jobId/],
    ['recipes.check', { modelId: 'm', recipe: 'int4' }, /recipe/],
    ['dialogs.openModel', { kind: 'anything' }, /kind/],
  ])('refuses %s %j', async (name, payload, message) => {
    const { gw, seen } = gateway();
    const r = await gw.handle(name, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_ARGUMENT');
      expect(r.error.message).toMatch(message);
    }
    expect(seen).toEqual([]);
  });

  it('refuses unknown calls and non-object payloads', async () => {
    const { gw, seen } = gateway();
    expect(await gw.handle('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { message: /unknown call/ } });
    expect(await gw.handle('jobs.list', 'hello')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await gw.handle('jobs.list', [1])).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
  });

  it('lets valid calls through to the engine', async () => {
    const { gw, seen } = gateway();
    expect((await gw.handle('jobs.list', {})).ok).toBe(true);
    expect((await gw.handle('jobs.start', { kind: 'inspect', modelId: 'model-1' })).ok).toBe(true);
    expect((await gw.handle('jobs.list', undefined)).ok).toBe(true);
    expect(seen).toEqual(['jobs.list', 'jobs.start', 'jobs.list']);
  });

  it('says desktop-only calls need the desktop app', async () => {
    const { gw } = gateway();
    expect(await gw.handle('dialogs.openModel', { kind: 'file' })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });
});
