// Browser mode's HTTP server: the built renderer, the StudioApi as one POST per
// call (/api/<call>), and a WebSocket (/api/events) pushing job events. Bound to
// 127.0.0.1 only; every request must carry the run's token (header for API
// calls, query for the WebSocket, cookie or query for the page and its assets),
// a Host naming our address and, when the browser sends one, our Origin.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH, HTTP_TOKEN_HEADER, type StudioEvent } from '../common/contract.js';
import type { Gateway } from '../studio/shell/gateway.js';
import { securityHeaders } from './content-policy.js';
import { cookieToken, hostAllowed, originAllowed, tokenCookie, tokenMatches } from './request-guard.js';
import { resolveStaticFile } from './static-files.js';

export interface StudioServerOptions {
  gateway: Gateway;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  staticRoot: string;
  token: string;
  /** 0: any free port. */
  port?: number;
  /** Largest JSON request accepted. */
  maxBodyBytes?: number;
}

export interface StudioServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startStudioServer(opts: StudioServerOptions): Promise<StudioServer> {
  const maxBody = opts.maxBodyBytes ?? 8 << 20;
  let port = 0;
  const headers = () => securityHeaders([`ws://${LOOPBACK}:${port}`, `ws://localhost:${port}`]);

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { ...headers(), 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };

  async function api(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'API calls are POST requests');
    if (!tokenMatches(req.headers[HTTP_TOKEN_HEADER] as string | undefined, opts.token)) return send(res, 401, 'missing or wrong token');
    // JSON only: a plain HTML form cannot send it, so no cross-site form can call us.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return send(res, 415, 'send application/json');
    let body: string;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      return send(res, 413, (e as Error).message);
    }
    let payload: unknown;
    try {
      payload = body.length ? JSON.parse(body) : {};
    } catch {
      return send(res, 400, 'the request is not valid JSON');
    }
    const result = await opts.gateway.handle(name, payload);
    send(res, 200, JSON.stringify(result), 'application/json; charset=utf-8');
  }

  function page(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const fromQuery = url.searchParams.get('token');
    const authorised = tokenMatches(fromQuery, opts.token) || tokenMatches(cookieToken(req.headers.cookie, port), opts.token);
    if (!authorised) {
      return send(res, 401, 'Open the address that "npm run serve" printed: it carries the access token for this run.');
    }
    const file = resolveStaticFile(opts.staticRoot, url.pathname);
    if (!file) return send(res, 404, 'not found');
    const extra: Record<string, string> = {};
    if (fromQuery) extra['Set-Cookie'] = tokenCookie(opts.token, port);
    res.writeHead(200, {
      ...headers(),
      ...extra,
      'Content-Type': file.contentType,
      'Cache-Control': file.contentType.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
  }

  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, port)) return send(res, 403, 'wrong Host header');
    if (!originAllowed(req.headers.origin, port, false)) return send(res, 403, 'requests from other sites are refused');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    } catch {
      return send(res, 400, 'bad URL');
    }
    if (url.pathname.startsWith(HTTP_API_PREFIX)) {
      api(req, res, url.pathname.slice(HTTP_API_PREFIX.length)).catch(() => {
        if (!res.headersSent) send(res, 500, 'internal error');
        else res.destroy();
      });
      return;
    }
    page(req, res, url);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const sockets = new Set<WebSocket>();
  const unsubscribe = opts.onEvent((event) => {
    const data = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (url.pathname !== HTTP_EVENTS_PATH) return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host, port)) return refuse(403, 'Forbidden');
    // Any page may open a WebSocket to any address, so the Origin is required here.
    if (!originAllowed(req.headers.origin, port, true)) return refuse(403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token'), opts.token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', () => ws.close(1003, 'this socket only sends'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${LOOPBACK}:${port}/?token=${opts.token}`,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`request larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
