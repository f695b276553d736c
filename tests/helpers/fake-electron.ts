// A stand-in for the `electron` module's main-process API: records what the
// shell registers and lets tests play the part of the window.
import type {
  BrowserWindowOptions, ElectronApi, IpcEventLike, MenuItemTemplate, SessionLike, WebContentsLike,
} from '../../electron/main/electron-api.js';

type Listener = (...args: never[]) => unknown;

export class FakeWebContents implements WebContentsLike {
  listeners = new Map<string, Listener[]>();
  windowOpenHandler?: (d: { url: string }) => { action: 'deny' | 'allow' };
  sent: { channel: string; args: unknown[] }[] = [];
  url = 'app://studio/index.html';
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' | 'allow' }): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.url;
  }
  reload(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

export function fakeElectron(userData: string) {
  const record = {
    sandboxEnabled: false,
    schemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
    protocolHandlers: new Map<string, (r: Request) => Response | Promise<Response>>(),
    handles: new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>(),
    ons: new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>(),
    appListeners: new Map<string, Listener[]>(),
    windows: [] as { options: BrowserWindowOptions; webContents: FakeWebContents; loaded?: string }[],
    permissionRequest: undefined as undefined | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
    permissionCheck: undefined as undefined | ((wc: unknown, p: string) => boolean),
    beforeRequest: undefined as undefined | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
    menu: undefined as MenuItemTemplate[] | undefined,
    exitCode: undefined as number | undefined,
    openDialogResult: { canceled: true, filePaths: [] as string[] },
  };
  const session: SessionLike = {
    setPermissionRequestHandler: (h) => (record.permissionRequest = h),
    setPermissionCheckHandler: (h) => (record.permissionCheck = h),
    webRequest: { onBeforeRequest: (_f, l) => (record.beforeRequest = l) },
  };
  class BrowserWindow {
    webContents = new FakeWebContents();
    constructor(public options: BrowserWindowOptions) {
      record.windows.push(this);
    }
    loaded?: string;
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    once(): void {}
    on(): void {}
    show(): void {}
    isDestroyed(): boolean {
      return false;
    }
  }
  const electron: ElectronApi = {
    app: {
      whenReady: () => Promise.resolve(),
      on: ((event: string, l: Listener) => record.appListeners.set(event, [...(record.appListeners.get(event) ?? []), l])) as ElectronApi['app']['on'],
      quit: () => {},
      exit: (code) => (record.exitCode = code),
      getPath: () => userData,
      enableSandbox: () => (record.sandboxEnabled = true),
      isPackaged: false,
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel, l) => {
        if (record.handles.has(channel)) throw new Error(`second handler for ${channel}`);
        record.handles.set(channel, l);
      },
      on: (channel, l) => record.ons.set(channel, l),
    },
    protocol: {
      registerSchemesAsPrivileged: (s) => record.schemes.push(...s),
      handle: (scheme, h) => record.protocolHandlers.set(scheme, h),
    },
    session: { defaultSession: session },
    dialog: {
      showOpenDialog: async () => record.openDialogResult,
      showSaveDialog: async () => ({ canceled: true }),
    },
    shell: { showItemInFolder: () => {} },
    nativeTheme: { shouldUseDarkColors: false },
    utilityProcess: { fork: () => { throw new Error('tests pass a Node spawner'); } },
    Menu: { buildFromTemplate: (t) => t, setApplicationMenu: (m) => (record.menu = m as MenuItemTemplate[]) },
  };
  const emitApp = (event: string, ...args: unknown[]) => {
    for (const l of record.appListeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  };
  return { electron, record, emitApp };
}
