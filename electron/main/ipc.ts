// One ipcMain.handle per StudioApi call, each going through the gateway (which
// validates the payload and the paths), plus the channel the preload uses to
// report the real path of a file dropped on the window.
import { IPC_DROP_CHANNEL, ipcChannel, studioCallNames, type StudioResult } from '../common/contract.js';
import type { Gateway } from '../studio/shell/gateway.js';
import type { PathGrants } from '../studio/shell/path-grants.js';
import type { ElectronApi } from './electron-api.js';
import { isTrustedSender } from './window-security.js';

export function registerStudioIpc(ipcMain: ElectronApi['ipcMain'], gateway: Gateway, grants: PathGrants): void {
  for (const name of studioCallNames) {
    ipcMain.handle(ipcChannel(name), async (event, payload): Promise<StudioResult<unknown>> => {
      if (!isTrustedSender(event.senderFrame)) {
        return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'calls are accepted from the studio window only' } };
      }
      return gateway.handle(name, payload);
    });
  }
  ipcMain.on(IPC_DROP_CHANNEL, (event, path) => {
    if (!isTrustedSender(event.senderFrame) || typeof path !== 'string' || !path || path.length > 4096) return;
    try {
      grants.grant(path, 'read');
    } catch {
      // A vanished file: opening it will report the problem.
    }
  });
}
