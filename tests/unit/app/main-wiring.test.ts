// The Electron shell, run in Node with a stand-in for the `electron` module:
// a handler for every contract call, payload validation, sender checks, the
// window's security options, navigation/new-window/permission blocking, the
// app:// protocol, dropped files and events.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_DROP_CHANNEL, IPC_EVENT_CHANNEL, ipcChannel, studioCallNames, type StudioResult, type SystemInfo } from '../../../electron/common/contract.js';
import { prepareDesktopApp, startDesktopApp, type DesktopApp } from '../../../electron/main/app.js';
import { engineHostModule } from '../../../electron/studio/app-paths.js';
import { forkSpawner } from '../../../electron/studio/shell/fork-spawner.js';
import { createStudioBridge } from '../../../electron/preload/bridge.js';
import { FakeWebContents, fakeElectron } from '../../helpers/fake-electron.js';

const userData = mkdtempSync(join(tmpdir(), 'mcs-userdata-'));
const rendererRoot = mkdtempSync(join(tmpdir(), 'mcs-renderer-'));
writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>studio</title>');
const fake = fakeElectron(userData);
const trusted = { senderFrame: { url: 'app://studio/index.html' } };
let desktop: DesktopApp;

beforeAll(async () => {
  prepareDesktopApp(fake.electron);
  desktop = await startDesktopApp(fake.electron, {
    spawner: forkSpawner(engineHostModule(), { MCS_ENGINE_THREADS: '1', MCS_WORK_DIR: join(userData, 'work') }),
    preloadPath: '/app/dist/preload.cjs',
    rendererRoot,
  });
});
afterAll(async () => {
  await desktop.shell.dispose();
  rmSync(userData, { recursive: true, force: true });
  rmSync(rendererRoot, { recursive: true, force: true });
});

const invoke = async (name: string, payload: unknown, event = trusted) =>
  (await fake.record.handles.get(name)!(event, payload)) as StudioResult<unknown>;

describe('Electron main process', () => {
  it('turns the sandbox on for every renderer and registers app:// as a secure standard scheme', () => {
    expect(fake.record.sandboxEnabled).toBe(true);
    expect(fake.record.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('registers exactly one handler per contract call', () => {
    const channels = [...fake.record.handles.keys()].sort();
    expect(channels).toEqual(studioCallNames.map(ipcChannel).sort());
  });

  it('opens one locked-down window on app://', () => {
    expect(fake.record.windows).toHaveLength(1);
    const w = fake.record.windows[0];
    expect(w.loaded).toBe('app://studio/index.html');
    expect(w.options.minWidth).toBe(1280);
    expect(w.options.minHeight).toBe(800);
    expect(w.options.webPreferences).toMatchObject({
      preload: '/app/dist/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true,
      allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false,
    });
  });

  it('answers a call from the window through the engine', async () => {
    const r = await invoke(ipcChannel('system.info'), {});
    expect(r.ok).toBe(true);
    const info = (r as { value: SystemInfo }).value;
    expect(info.transport).toBe('desktop');
    expect(info.nativeDialogs).toBe(true);
    expect(info.engine.pid).not.toBe(process.pid);
  });

  it('validates every payload before it runs', async () => {
    for (const name of studioCallNames) {
      const r = await invoke(ipcChannel(name), { unexpected: 'field', modelId: 7 });
      expect(r, name).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
  });

  it('refuses calls that do not come from the app page', async () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html']) {
      expect(await invoke(ipcChannel('jobs.list'), {}, { senderFrame: { url } })).toMatchObject({ ok: false });
    }
    expect(await invoke(ipcChannel('jobs.list'), {}, { senderFrame: null as never })).toMatchObject({ ok: false });
  });

  it('refuses typed paths, and accepts what a dialog or a drop chose', async () => {
    const file = join(userData, 'm.gguf');
    writeFileSync(file, 'not a model');
    const typed = await invoke(ipcChannel('models.open'), { path: file });
    expect(typed).toMatchObject({ ok: false, error: { message: /not a file you chose/ } });

    // A drop: the preload sends the real path of the File; from an untrusted frame nothing happens.
    fake.record.ons.get(IPC_DROP_CHANNEL)!({ senderFrame: { url: 'https://evil.example/' } }, file);
    expect(JSON.stringify(await invoke(ipcChannel('models.open'), { path: file }))).toMatch(/not a file you chose/);
    fake.record.ons.get(IPC_DROP_CHANNEL)!(trusted, file);
    const dropped = await invoke(ipcChannel('models.open'), { path: file });
    expect(dropped.ok).toBe(false); // the file itself is no model, but the policy let it through
    expect((dropped as { error: { message: string } }).error.message).not.toMatch(/not a file you chose/);

    const other = join(userData, 'other.gguf');
    writeFileSync(other, 'x');
    fake.record.openDialogResult = { canceled: false, filePaths: [other] };
    expect(await invoke(ipcChannel('dialogs.openModel'), { kind: 'file' })).toEqual({ ok: true, value: { path: other } });
    const viaDialog = await invoke(ipcChannel('models.open'), { path: other });
    expect(JSON.stringify(viaDialog)).not.toMatch(/not a file you chose/);
  });

  it('blocks navigation, new windows and webviews in every web contents', () => {
    const wc = new FakeWebContents();
    for (const l of fake.record.appListeners.get('web-contents-created') ?? []) (l as (e: unknown, c: unknown) => void)({}, wc);
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    wc.emit('will-navigate', ev, 'https://evil.example/');
    wc.emit('will-redirect', ev, 'file:///etc/passwd');
    wc.emit('will-attach-webview', ev);
    expect(prevented).toBe(3);
    expect(wc.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('denies every permission and cancels every request that is not the app', () => {
    let granted: boolean | undefined;
    fake.record.permissionRequest!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(fake.record.permissionCheck!(null, 'notifications')).toBe(false);
    const cancel = (url: string) => {
      let c: boolean | undefined;
      fake.record.beforeRequest!({ url }, (r) => (c = r.cancel));
      return c;
    };
    expect(cancel('https://cdn.example/chart.js')).toBe(true);
    expect(cancel('http://127.0.0.1:8080/')).toBe(true);
    expect(cancel('file:///etc/passwd')).toBe(true);
    expect(cancel('ws://127.0.0.1:1/')).toBe(true);
    expect(cancel('app://studio/assets/index.js')).toBe(false);
  });

  it('serves the renderer on app:// with the CSP, and nothing outside it', async () => {
    const handler = fake.record.protocolHandlers.get('app')!;
    const ok = await handler(new Request('app://studio/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await ok.text()).toContain('studio');
    expect((await handler(new Request('app://studio/%2e%2e/%2e%2e/etc/passwd'))).status).toBe(404);
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404);
  });

  it('pushes engine events to the window, and the window survives an engine crash', async () => {
    const pid = desktop.shell.engine.pid as number;
    process.kill(pid, 'SIGKILL');
    const wc = fake.record.windows[0].webContents;
    for (let i = 0; i < 200 && !wc.sent.some((s) => s.channel === IPC_EVENT_CHANNEL); i++) await new Promise((r) => setTimeout(r, 25));
    expect(wc.sent.find((s) => s.channel === IPC_EVENT_CHANNEL)?.args[0]).toMatchObject({ type: 'engine.restarted' });
    expect((await invoke(ipcChannel('system.info'), {})).ok).toBe(true);
  });
});

describe('preload bridge', () => {
  function setup(path = '/home/u/model.gguf') {
    const invoked: unknown[][] = [];
    const sent: unknown[][] = [];
    const listeners = new Map<string, unknown>();
    const bridge = createStudioBridge({
      contextBridge: { exposeInMainWorld: () => {} },
      ipcRenderer: {
        invoke: async (...a) => { invoked.push(a); return { ok: true, value: 1 }; },
        send: (...a) => sent.push(a),
        on: (c, l) => listeners.set(c, l),
        removeListener: (c) => listeners.delete(c),
      },
      webUtils: { getPathForFile: () => path },
    });
    return { bridge, invoked, sent, listeners };
  }

  it('exposes the contract and nothing else', () => {
    expect(Object.keys(setup().bridge).sort()).toEqual(['invoke', 'onEvent', 'pathForFile']);
  });

  it('sends known calls on their channel and refuses unknown ones', async () => {
    const { bridge, invoked } = setup();
    expect(await bridge.invoke('jobs.list', {})).toEqual({ ok: true, value: 1 });
    expect(invoked).toEqual([['studio:jobs.list', {}]]);
    expect(await bridge.invoke('shell.openExternal' as never, {})).toMatchObject({ ok: false });
    expect(invoked).toHaveLength(1);
  });

  it('subscribes to events and unsubscribes', () => {
    const { bridge, listeners } = setup();
    const off = bridge.onEvent(() => {});
    expect(listeners.has(IPC_EVENT_CHANNEL)).toBe(true);
    off();
    expect(listeners.has(IPC_EVENT_CHANNEL)).toBe(false);
  });

  it('reports the path of a dropped file to the main process, and only a real one', () => {
    const a = setup();
    expect(a.bridge.pathForFile({})).toBe('/home/u/model.gguf');
    expect(a.sent).toEqual([[IPC_DROP_CHANNEL, '/home/u/model.gguf']]);
    const b = setup('');
    expect(b.bridge.pathForFile({})).toBe('');
    expect(b.sent).toEqual([]);
  });
});
