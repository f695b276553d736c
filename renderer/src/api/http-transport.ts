// Browser mode: POST /api/<call> with the run's token, and a WebSocket for
// events that reconnects by itself (the server may restart its engine, or the
// laptop may sleep).
import {
  HTTP_API_PREFIX,
  HTTP_EVENTS_PATH,
  HTTP_TOKEN_HEADER,
  type StudioCallName,
  type StudioEvent,
  type StudioResult,
} from '../../../electron/common/contract';
import type { Transport } from './client';

export interface HttpTransportOptions {
  token: string;
  /** Told when the event stream drops and when it is back. */
  onConnection?: (connected: boolean) => void;
}

export function httpTransport(opts: HttpTransportOptions): Transport {
  const listeners = new Set<(e: StudioEvent) => void>();
  let socket: WebSocket | undefined;
  let retry = 500;

  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}${HTTP_EVENTS_PATH}?token=${encodeURIComponent(opts.token)}`);
    socket.onopen = () => {
      retry = 500;
      opts.onConnection?.(true);
    };
    socket.onmessage = (m) => {
      let event: StudioEvent;
      try {
        event = JSON.parse(String(m.data)) as StudioEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
    socket.onclose = () => {
      opts.onConnection?.(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };

  return {
    async invoke(name: StudioCallName, request: unknown): Promise<StudioResult<unknown>> {
      let res: Response;
      try {
        res = await fetch(`${HTTP_API_PREFIX}${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [HTTP_TOKEN_HEADER]: opts.token },
          body: JSON.stringify(request ?? {}),
          cache: 'no-store',
        });
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: 'The studio server does not answer: is "npm run serve" still running?' } };
      }
      if (!res.ok) {
        const text = (await res.text().catch(() => '')).slice(0, 300);
        return { ok: false, error: { code: 'INTERNAL', message: `The studio server refused the request (${res.status}${text ? `: ${text}` : ''})` } };
      }
      return (await res.json()) as StudioResult<unknown>;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}

/** The token from the address `npm run serve` printed (…/?token=…). */
export function tokenFromLocation(): string | null {
  return new URLSearchParams(location.search).get('token');
}
