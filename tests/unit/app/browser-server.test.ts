// Browser mode's server: loopback only, a token on every request, Host and
// Origin checks, static files that cannot leave their folder, calls and events.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StudioEvent, StudioResult } from '../../../electron/common/contract.js';
import { createGateway, type EngineLink } from '../../../electron/studio/shell/gateway.js';
import { PathGrants } from '../../../electron/studio/shell/path-grants.js';
import { RecentModels } from '../../../electron/studio/shell/recent-models.js';
import { contentSecurityPolicy } from '../../../electron/serve/content-policy.js';
import { cookieToken, hostAllowed, newToken, originAllowed, tokenMatches } from '../../../electron/serve/request-guard.js';
import { startStudioServer, type StudioServer } from '../../../electron/serve/server.js';
import { resolveStaticFile } from '../../../electron/serve/static-files.js';

describe('request guard', () => {
  it('accepts only our loopback Host, with our port', () => {
    expect(hostAllowed('127.0.0.1:5000', 5000)).toBe(true);
    expect(hostAllowed('localhost:5000', 5000)).toBe(true);
    expect(hostAllowed('LOCALHOST:5000', 5000)).toBe(true);
    expect(hostAllowed('127.0.0.1:5001', 5000)).toBe(false);
    expect(hostAllowed('127.0.0.1', 5000)).toBe(false);
    expect(hostAllowed('evil.example:5000', 5000)).toBe(false); // DNS rebinding
    expect(hostAllowed('127.0.0.1.evil.example:5000', 5000)).toBe(false);
    expect(hostAllowed(undefined, 5000)).toBe(false);
  });

  it('accepts our own Origin, refuses others, and a missing one only where required', () => {
    expect(originAllowed('http://127.0.0.1:5000', 5000, true)).toBe(true);
    expect(originAllowed('http://localhost:5000', 5000, true)).toBe(true);
    expect(originAllowed('https://127.0.0.1:5000', 5000, false)).toBe(false);
    expect(originAllowed('http://127.0.0.1:5001', 5000, false)).toBe(false);
    expect(originAllowed('null', 5000, false)).toBe(false);
    expect(originAllowed('http://evil.example', 5000, false)).toBe(false);
    expect(originAllowed(undefined, 5000, false)).toBe(true);
    expect(originAllowed(undefined, 5000, true)).toBe(false);
  });

  it('compares tokens exactly', () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t.slice(0, -1), t)).toBe(false);
    expect(tokenMatches(t + 'x', t)).toBe(false);
    expect(tokenMatches('', t)).toBe(false);
    expect(tokenMatches(undefined, t)).toBe(false);
    expect(tokenMatches(null, t)).toBe(false);
  });

  it('reads the per-port cookie', () => {
    expect(cookieToken('a=1; mcs-token-5000=abc; b=2', 5000)).toBe('abc');
    expect(cookieToken('mcs-token-5001=abc', 5000)).toBeUndefined();
    expect(cookieToken(undefined, 5000)).toBeUndefined();
  });
});

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'app.js'), '1');
  writeFileSync(join(root, '..', 'mcs-outside.txt'), 'secret');
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(join(root, '..', 'mcs-outside.txt'), { force: true });
  });

  it('serves files inside the folder with their types', () => {
    expect(resolveStaticFile(root, '/')?.contentType).toMatch(/text\/html/);
    expect(resolveStaticFile(root, '/assets/app.js')?.contentType).toMatch(/javascript/);
    expect(resolveStaticFile(root, '/missing.js')).toBeNull();
    expect(resolveStaticFile(root, '/assets')).toBeNull(); // a folder
  });

  it.each(['/../mcs-outside.txt', '/assets/../../mcs-outside.txt', '/%2e%2e/mcs-outside.txt', '/..%2fmcs-outside.txt',
    '/assets%5c..%5c..%5cmcs-outside.txt', '/index.html%00.js', '/%E0%A4%A'])('refuses %s', (p) => {
    expect(resolveStaticFile(root, p)).toBeNull();
  });
});

// --- the server itself, over real HTTP -------------------------------------

const staticRoot = mkdtempSync(join(tmpdir(), 'mcs-www-'));
writeFileSync(join(staticRoot, 'index.html'), '<!doctype html><title>studio</title>');
let server: StudioServer;
let token: string;
let emit: (e: StudioEvent) => void = () => {};
const calls: string[] = [];

beforeAll(async () => {
  const engine: EngineLink = {
    pid: 1, restarts: 0,
    async call(name): Promise<StudioResult<unknown>> {
      calls.push(name);
      return { ok: true, value: [] };
    },
  };
  const gateway = createGateway({
    engine, grants: new PathGrants(), recents: new RecentModels(null),
    host: { transport: 'browser', version: 't', typedPathsAreChoices: true, sample: null },
  });
  const listeners = new Set<(e: StudioEvent) => void>();
  emit = (e) => listeners.forEach((l) => l(e));
  token = newToken();
  server = await startStudioServer({
    gateway, staticRoot, token,
    onEvent: (l) => { listeners.add(l); return () => listeners.delete(l); },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(staticRoot, { recursive: true, force: true });
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const api = (call: string, headers: Record<string, string>, body = '{}') =>
  send('POST', `/api/${call}`, { 'content-type': 'application/json', ...headers }, body);

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('serves the page with the token in the URL, sets the cookie, and the cookie works after', async () => {
    const r = await send('GET', `/?token=${token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('studio');
    expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(r.headers['x-frame-options']).toBe('DENY');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const again = await send('GET', '/', { cookie: cookie.split(';')[0] });
    expect(again.status).toBe(200);
  });

  it('refuses the page without the token, or with a wrong one', async () => {
    expect((await send('GET', '/')).status).toBe(401);
    expect((await send('GET', '/?token=nope')).status).toBe(401);
    expect((await send('GET', '/', { cookie: `mcs-token-${server.port}=nope` })).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    expect((await send('GET', `/?token=${token}`, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await api('jobs.list', { host: 'evil.example', 'x-mcs-token': token })).status).toBe(403);
  });

  it('answers API calls only with the token header, JSON, and our Origin', async () => {
    const ok = await api('jobs.list', { 'x-mcs-token': token, origin: `http://127.0.0.1:${server.port}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: [] });
    expect((await api('jobs.list', {})).status).toBe(401);
    expect((await api('jobs.list', { 'x-mcs-token': 'wrong' })).status).toBe(401);
    // The cookie alone is not enough for calls.
    expect((await api('jobs.list', { cookie: `mcs-token-${server.port}=${token}` })).status).toBe(401);
    expect((await api('jobs.list', { 'x-mcs-token': token, origin: 'http://evil.example' })).status).toBe(403);
    expect((await send('POST', '/api/jobs.list', { 'x-mcs-token': token, 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect((await send('GET', '/api/jobs.list', { 'x-mcs-token': token })).status).toBe(405);
  });

  it('returns contract errors as data and refuses bad JSON and huge bodies', async () => {
    const bad = await api('models.open', { 'x-mcs-token': token }, '{"path": 3}');
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect((await api('jobs.list', { 'x-mcs-token': token }, '{nope')).status).toBe(400);
    const huge = await api('jobs.list', { 'x-mcs-token': token }, JSON.stringify({ x: 'a'.repeat(9 << 20) })).catch(() => ({ status: 413 }));
    expect(huge.status).toBe(413);
  });

  it('pushes events over the WebSocket to a client with the token and our Origin', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const got = new Promise<StudioEvent>((resolve) => ws.on('message', (d) => resolve(JSON.parse(String(d)))));
    emit({ type: 'engine.restarted', message: 'x', lostCalls: [], restarts: 1 });
    expect(await got).toMatchObject({ type: 'engine.restarted', restarts: 1 });
    ws.close();
  });

  it.each([
    ['no token', '', 'ORIGIN'],
    ['a wrong token', '?token=nope', 'ORIGIN'],
    ['no Origin', '?token=TOKEN', ''],
    ['a foreign Origin', '?token=TOKEN', 'http://evil.example'],
  ])('refuses a WebSocket with %s', async (_what, query, origin) => {
    const o = origin === 'ORIGIN' ? `http://127.0.0.1:${server.port}` : origin;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events${query.replace('TOKEN', token)}`, o ? { origin: o } : {});
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
      ws.on('open', () => resolve(101));
    });
    expect([401, 403, -1]).toContain(status);
  });

  it('keeps a strict Content-Security-Policy', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
