// How the window is locked down: an isolated, sandboxed renderer with no Node,
// only app:// content, no navigation, no new windows, no webviews, no
// permissions. See Electron's security checklist.
import type { ElectronApi, WebContentsLike, WebPreferences } from './electron-api.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://studio`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
  };
}

/** Only the app's own pages and in-memory data may load; everything remote is cancelled. */
export function isAllowedUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('devtools://') || url.startsWith('data:') || url.startsWith('blob:app://studio/');
}

/** A message from the renderer counts only when it comes from our own page. */
export function isTrustedSender(frame: { url: string } | null): boolean {
  return !!frame && frame.url.startsWith(`${APP_ORIGIN}/`);
}

export function hardenWebContents(contents: WebContentsLike): void {
  const stay = (event: { preventDefault(): void }, url: string) => {
    // The window is one page; a link or a dropped file must not replace it.
    if (url !== contents.getURL()) event.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(electron: ElectronApi): void {
  const s = electron.session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => callback({ cancel: !isAllowedUrl(details.url) }));
}
