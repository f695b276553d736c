// The bridge object behind `window.studio`, built from the preload's Electron
// modules so tests can drive it with stand-ins.
import {
  IPC_DROP_CHANNEL,
  IPC_EVENT_CHANNEL,
  ipcChannel,
  isStudioCallName,
  type StudioBridge,
  type StudioEvent,
  type StudioResult,
} from '../common/contract.js';

export interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  };
  webUtils: { getPathForFile(file: object): string };
}

export function createStudioBridge(e: PreloadElectron): StudioBridge {
  return {
    invoke(name, request) {
      if (!isStudioCallName(name)) {
        return Promise.resolve({ ok: false, error: { code: 'INVALID_ARGUMENT', message: `unknown call "${String(name)}"` } });
      }
      return e.ipcRenderer.invoke(ipcChannel(name), request) as Promise<StudioResult<unknown>>;
    },
    onEvent(listener) {
      const handler = (_event: unknown, payload: unknown) => listener(payload as StudioEvent);
      e.ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
      return () => e.ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    },
    pathForFile(file) {
      const path = e.webUtils.getPathForFile(file);
      // Only a real File from a real drop has a path; the main process grants it.
      if (path) e.ipcRenderer.send(IPC_DROP_CHANNEL, path);
      return path;
    },
  };
}

export function exposeStudioBridge(e: PreloadElectron): void {
  e.contextBridge.exposeInMainWorld('studio', createStudioBridge(e));
}
