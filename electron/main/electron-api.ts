// The part of Electron's main-process API the shell uses, typed here so the
// wiring compiles and is tested in plain Node against a stand-in (the
// `electron` package is an optional dependency and may be absent).

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
  safeDialogs: boolean;
  devTools: boolean;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar?: boolean;
  webPreferences: WebPreferences;
}

export interface IpcSenderFrame {
  url: string;
}

export interface IpcEventLike {
  senderFrame: IpcSenderFrame | null;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
  reload(): void;
  isDestroyed(): boolean;
}

export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
  isDestroyed(): boolean;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void;
  webRequest: {
    onBeforeRequest(filter: { urls: string[] }, listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface OpenDialogOptions {
  title: string;
  properties: ('openFile' | 'openDirectory')[];
  filters?: { name: string; extensions: string[] }[];
}

export interface SaveDialogOptions {
  title: string;
  defaultPath?: string;
  filters?: { name: string; extensions: string[] }[];
}

export interface ElectronApi {
  app: {
    whenReady(): Promise<void>;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
    on(event: 'window-all-closed' | 'before-quit' | 'activate', listener: (event: { preventDefault(): void }) => void): void;
    quit(): void;
    exit(code: number): void;
    getPath(name: 'userData'): string;
    enableSandbox(): void;
    readonly isPackaged: boolean;
  };
  BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindowLike;
  ipcMain: {
    handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
    on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  session: { defaultSession: SessionLike };
  dialog: {
    showOpenDialog(window: BrowserWindowLike, options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
    showSaveDialog(window: BrowserWindowLike, options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  };
  shell: { showItemInFolder(path: string): void };
  nativeTheme: { shouldUseDarkColors: boolean };
  utilityProcess: {
    fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'inherit' | 'pipe'; env: NodeJS.ProcessEnv }): UtilityProcessLike;
  };
  Menu: {
    buildFromTemplate(template: MenuItemTemplate[]): unknown;
    setApplicationMenu(menu: unknown): void;
  };
}

export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator';
  submenu?: MenuItemTemplate[];
}
