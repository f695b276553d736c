// The renderer's StudioApi: one of two transports (the desktop preload's
// bridge, or HTTP + WebSocket in browser mode) behind the same typed face.
// Errors arrive as data and are thrown here as StudioError.
import type { StudioApi, StudioCallName, StudioEvent, StudioResult } from '../../../electron/common/contract';
import { StudioError } from '../../../electron/common/errors';

export interface Transport {
  invoke(name: StudioCallName, request: unknown): Promise<StudioResult<unknown>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

export function clientFor(transport: Transport): StudioApi {
  return {
    async call(name, request) {
      const r = await transport.invoke(name, request);
      if (!r.ok) throw StudioError.fromJSON(r.error);
      return r.value as never;
    },
    onEvent: (listener) => transport.onEvent(listener),
  };
}

let current: StudioApi | undefined;

/** Installs the API the stores use (the app at start-up; tests with their own). */
export function provideStudioApi(api: StudioApi): void {
  current = api;
}

export function studioApi(): StudioApi {
  if (!current) throw new StudioError('INTERNAL', 'the studio API was used before it was set up');
  return current;
}
