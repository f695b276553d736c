// Picks the transport: the preload's bridge in the desktop app, HTTP in a browser.
import type { StudioApi } from '../../../electron/common/contract';
import { StudioError } from '../../../electron/common/errors';
import { clientFor } from './client';
import { httpTransport, tokenFromLocation } from './http-transport';

export function connectStudio(onConnection: (connected: boolean) => void): StudioApi {
  if (window.studio) return clientFor(window.studio);
  const token = tokenFromLocation();
  if (!token) {
    throw new StudioError('INVALID_ARGUMENT', 'This address has no access token. Open the full address that "npm run serve" printed (it ends in ?token=…).');
  }
  return clientFor(httpTransport({ token, onConnection }));
}
