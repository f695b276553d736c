// The desktop shell: window, app:// protocol, IPC, dialogs and the engine in a
// utility process. Kept thin — the gateway and the engine do the work — and
// written against `ElectronApi` so it runs in tests with a stand-in.
import { basename, join } from 'node:path';
import { IPC_EVENT_CHANNEL } from '../common/contract.js';
import { engineHostModule, rendererDir, sampleModel } from '../studio/app-paths.js';
import type { ShellHost } from '../studio/shell/gateway.js';
import { VERSION } from '../cli/version.js';
import { createStudioShell, type StudioShell } from '../studio/shell/studio-shell.js';
import { ENGINE_ENV, type EngineSpawner } from '../common/engine-protocol.js';
import { appProtocolHandler, appSchemePrivileges } from './app-protocol.js';
import type { BrowserWindowLike, ElectronApi } from './electron-api.js';
import { utilitySpawner } from './engine-spawner.js';
import { registerStudioIpc } from './ipc.js';
import { appMenu } from './menu.js';
import { APP_SCHEME, APP_URL, hardenSession, hardenWebContents, secureWebPreferences } from './window-security.js';

export interface DesktopOptions {
  /** Tests pass a Node child-process spawner; the app uses a utility process. */
  spawner?: EngineSpawner;
  preloadPath?: string;
  rendererRoot?: string;
}

export interface DesktopApp {
  shell: StudioShell;
  window(): BrowserWindowLike | undefined;
}

const FILTERS = {
  model: [{ name: 'Models (GGUF, safetensors)', extensions: ['gguf', 'safetensors'] }],
  recipe: [{ name: 'Recipes (YAML, JSON)', extensions: ['yaml', 'yml', 'json'] }],
  gguf: [{ name: 'GGUF model', extensions: ['gguf'] }],
  text: [{ name: 'Text', extensions: ['txt', 'raw', 'md'] }, { name: 'All files', extensions: ['*'] }],
};

/** Call before the app is ready (privileged schemes, sandbox for every renderer). */
export function prepareDesktopApp(electron: ElectronApi): void {
  electron.app.enableSandbox();
  electron.protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
  electron.app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

export async function startDesktopApp(electron: ElectronApi, options: DesktopOptions = {}): Promise<DesktopApp> {
  const { app, dialog } = electron;
  await app.whenReady();
  hardenSession(electron);
  electron.protocol.handle(APP_SCHEME, appProtocolHandler(options.rendererRoot ?? rendererDir()));
  electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(appMenu(process.platform, !app.isPackaged)));

  let win: BrowserWindowLike | undefined;
  const current = () => {
    if (!win || win.isDestroyed()) throw new Error('the studio window is closed');
    return win;
  };
  const firstPath = (r: { canceled: boolean; filePaths: string[] }) => (r.canceled || !r.filePaths.length ? null : r.filePaths[0]);

  const host: ShellHost = {
    transport: 'desktop',
    version: VERSION,
    typedPathsAreChoices: false,
    sample: sampleModel(),
    dialogs: {
      openModel: async (kind) =>
        firstPath(await dialog.showOpenDialog(current(), kind === 'folder'
          ? { title: 'Open a Hugging Face model folder', properties: ['openDirectory'] }
          : { title: 'Open a model file', properties: ['openFile'], filters: FILTERS.model })),
      openFile: async (purpose) =>
        firstPath(await dialog.showOpenDialog(current(), purpose === 'text'
          ? { title: 'Choose an evaluation text', properties: ['openFile'], filters: FILTERS.text }
          : { title: 'Load a recipe', properties: ['openFile'], filters: FILTERS.recipe })),
      saveFile: async (purpose, defaultName) => {
        const r = await dialog.showSaveDialog(current(), {
          title: purpose === 'recipe' ? 'Save the recipe' : 'Export the compressed model',
          defaultPath: defaultName ? basename(defaultName) : undefined,
          // A Hugging Face export is a folder: no extension filter, or the dialog would add one.
          filters: purpose === 'recipe' ? FILTERS.recipe : defaultName?.toLowerCase().endsWith('.gguf') ? FILTERS.gguf : undefined,
        });
        return r.canceled || !r.filePath ? null : r.filePath;
      },
    },
    reveal: async (path) => electron.shell.showItemInFolder(path),
  };

  const shell = createStudioShell({
    spawner: options.spawner ?? utilitySpawner(electron, engineHostModule(), { [ENGINE_ENV.workDir]: join(app.getPath('userData'), 'work') }),
    host,
    settingsDir: app.getPath('userData'),
  });
  registerStudioIpc(electron.ipcMain, shell.gateway, shell.grants);
  shell.onEvent((event) => {
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
  });

  const createWindow = () => {
    win = new electron.BrowserWindow({
      width: 1440,
      height: 900,
      minWidth: 1280,
      minHeight: 800,
      show: false,
      title: 'Model Compression Studio',
      backgroundColor: electron.nativeTheme.shouldUseDarkColors ? '#15171c' : '#f5f6f8',
      webPreferences: secureWebPreferences(options.preloadPath ?? join(__dirname, 'preload.cjs'), !app.isPackaged),
    });
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => (win = undefined));
    // The window survives a renderer crash too: reload the page.
    win.webContents.on('render-process-gone', (_e, details) => {
      if (details.reason !== 'clean-exit' && win && !win.isDestroyed()) win.webContents.reload();
    });
    void win.loadURL(APP_URL);
  };
  createWindow();

  app.on('activate', () => {
    if (!win) createWindow();
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void shell.dispose().finally(() => app.exit(0));
  });
  return { shell, window: () => win };
}
