// "No file path outside what the user chose": the sample, dialog results and
// drops (desktop), typed paths (browser), recent models — and nothing else, even
// through `..` or symlinks.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StudioResult } from '../../../electron/common/contract.js';
import { createGateway, type EngineLink, type ShellHost } from '../../../electron/studio/shell/gateway.js';
import { PathGrants, normalizeUserPath } from '../../../electron/studio/shell/path-grants.js';
import { pathPolicy } from '../../../electron/studio/shell/path-policy.js';
import { RecentModels } from '../../../electron/studio/shell/recent-models.js';
import { studioCallNames } from '../../../electron/common/contract.js';

const root = mkdtempSync(join(tmpdir(), 'mcs-grants-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sample = join(root, 'sample');
const models = join(root, 'models');
const secret = join(root, 'secret');
for (const d of [sample, models, secret, join(models, 'llama')]) mkdirSync(d, { recursive: true });
writeFileSync(join(sample, 'model.safetensors'), 'x');
writeFileSync(join(models, 'llama', 'model.safetensors'), 'x');
writeFileSync(join(models, 'tiny.gguf'), 'x');
writeFileSync(join(secret, 'key.txt'), 'x');
symlinkSync(secret, join(models, 'llama', 'escape'));

describe('PathGrants', () => {
  it('always allows reading the sample, nothing else', () => {
    const g = new PathGrants([sample]);
    expect(g.allows(join(sample, 'model.safetensors'), 'read')).toBe(true);
    expect(g.allows(sample, 'read')).toBe(true);
    expect(g.allows(join(models, 'tiny.gguf'), 'read')).toBe(false);
    expect(g.allows(join(sample, 'model.safetensors'), 'write')).toBe(false);
  });

  it('a granted folder covers its files; `..` and symlinks cannot leave it', () => {
    const g = new PathGrants();
    g.grant(join(models, 'llama'), 'read');
    expect(g.allows(join(models, 'llama', 'model.safetensors'), 'read')).toBe(true);
    expect(g.allows(join(models, 'llama', '..', 'tiny.gguf'), 'read')).toBe(false);
    expect(g.allows(join(models, 'llama', 'escape', 'key.txt'), 'read')).toBe(false);
    expect(g.allows(join(models, 'llama-other'), 'read')).toBe(false); // a prefix is not a parent
  });

  it('a granted file is that file only', () => {
    const g = new PathGrants();
    g.grant(join(models, 'tiny.gguf'), 'read');
    expect(g.allows(join(models, 'tiny.gguf'), 'read')).toBe(true);
    expect(g.allows(join(models, 'llama', 'model.safetensors'), 'read')).toBe(false);
  });

  it('write grants are exact files, readable afterwards (re-open an export)', () => {
    const g = new PathGrants();
    const out = join(models, 'out.gguf');
    g.grant(out, 'write');
    expect(g.allows(out, 'write')).toBe(true);
    expect(g.allows(out, 'read')).toBe(true);
    expect(g.allows(join(models, 'other.gguf'), 'write')).toBe(false);
    // An output folder (an exported model) is granted as that one path, not what is inside it.
    g.grant(join(models, 'llama'), 'write');
    expect(g.allows(join(models, 'llama'), 'write')).toBe(true);
    expect(g.allows(join(models, 'llama', 'model.safetensors'), 'write')).toBe(false);
  });

  it('a save target in a folder that does not exist is refused with the folder named', () => {
    expect(() => new PathGrants().grant(join(root, 'nope', 'x.gguf'), 'write')).toThrow(/nope: folder not found/);
  });

  it('normalises typed paths: ~ expands, relative paths are refused', () => {
    expect(normalizeUserPath('~/m.gguf')).toBe(join(homedir(), 'm.gguf'));
    expect(normalizeUserPath('/a/b/../c')).toBe('/a/c');
    expect(() => normalizeUserPath('models/x.gguf')).toThrow(/not a full path/);
  });

  it('has a path rule for every call of the contract', () => {
    expect(Object.keys(pathPolicy).sort()).toEqual([...studioCallNames].sort());
  });
});

/** An engine that echoes what reached it, to see what the gateway let through. */
function echoEngine(): EngineLink & { seen: { name: string; request: unknown }[] } {
  const seen: { name: string; request: unknown }[] = [];
  return {
    seen, pid: 1, restarts: 0,
    async call(name, request): Promise<StudioResult<unknown>> {
      seen.push({ name, request });
      if (name === 'models.open') {
        const path = (request as { path: string }).path;
        return { ok: true, value: { path, name: 'm', format: 'gguf', architecture: 'llama', parameters: 1, bytesOnDisk: 1 } };
      }
      return { ok: true, value: {} };
    },
  };
}

function gateway(host: Partial<ShellHost>, recents = new RecentModels(null)) {
  const engine = echoEngine();
  const grants = new PathGrants([sample]);
  const fullHost: ShellHost = { transport: 'browser', version: 't', typedPathsAreChoices: true, sample: { name: 's', path: sample }, ...host };
  return { engine, grants, recents, gw: createGateway({ engine, host: fullHost, grants, recents }) };
}

describe('gateway path policy', () => {
  it('browser mode: a typed path is the choice and is granted', async () => {
    const { gw, grants, engine } = gateway({});
    const r = await gw.handle('models.open', { path: join(models, 'llama', '..', 'tiny.gguf') });
    expect(r.ok).toBe(true);
    expect(engine.seen[0].request).toEqual({ path: join(models, 'tiny.gguf') }); // normalised before it reaches the engine
    expect(grants.allows(join(models, 'tiny.gguf'), 'read')).toBe(true);
  });

  it('desktop: only dialog results, drops, recents and the sample open', async () => {
    const picked = join(models, 'llama');
    const { gw, engine, grants } = gateway({
      transport: 'desktop', typedPathsAreChoices: false,
      dialogs: { openModel: async () => picked, openFile: async () => null, saveFile: async () => join(models, 'out.gguf') },
    });
    const typed = await gw.handle('models.open', { path: join(models, 'tiny.gguf') });
    expect(typed.ok).toBe(false);
    if (!typed.ok) expect(typed.error.message).toMatch(/not a file you chose in this session/);
    expect(engine.seen).toHaveLength(0);

    expect((await gw.handle('models.open', { path: join(sample, 'model.safetensors') })).ok).toBe(true);
    expect(await gw.handle('dialogs.openModel', { kind: 'folder' })).toEqual({ ok: true, value: { path: picked } });
    expect((await gw.handle('models.open', { path: picked })).ok).toBe(true);

    grants.grant(join(models, 'tiny.gguf'), 'read'); // what a drop does
    expect((await gw.handle('models.open', { path: join(models, 'tiny.gguf') })).ok).toBe(true);

    // A save dialog grants writing that one file.
    expect((await gw.handle('recipes.save', { path: join(models, 'r.yaml'), recipe: {} })).ok).toBe(false);
    await gw.handle('dialogs.saveFile', { purpose: 'export' });
    expect(grants.allows(join(models, 'out.gguf'), 'write')).toBe(true);
  });

  it('desktop: a recent model opens again without a new dialog', async () => {
    const recents = new RecentModels(null);
    recents.add({ path: join(models, 'tiny.gguf'), name: 'tiny', format: 'gguf', architecture: 'llama', parameters: 1, bytesOnDisk: 1, openedAt: 1 });
    const { gw } = gateway({ transport: 'desktop', typedPathsAreChoices: false }, recents);
    expect((await gw.handle('models.open', { path: join(models, 'tiny.gguf') })).ok).toBe(true);
    expect((await gw.handle('models.open', { path: join(models, 'llama') })).ok).toBe(false);
  });

  it('calls that only use paths cannot introduce one, even in browser mode', async () => {
    const { gw } = gateway({ reveal: async () => {} });
    const r = await gw.handle('shell.reveal', { path: join(secret, 'key.txt') });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await gw.handle('models.open', { path: join(models, 'tiny.gguf') });
    expect((await gw.handle('shell.reveal', { path: join(models, 'tiny.gguf') })).ok).toBe(true);
  });

  it('remembers opened models in the recent list', async () => {
    const { gw } = gateway({});
    await gw.handle('models.open', { path: join(models, 'tiny.gguf') });
    const r = await gw.handle('models.recent', {});
    expect(r.ok && (r.value as { path: string }[]).map((x) => x.path)).toEqual([join(models, 'tiny.gguf')]);
  });
});
