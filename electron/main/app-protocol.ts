// app://studio/… serves the built renderer from disk with the same
// Content-Security-Policy as browser mode (a custom scheme instead of file://,
// so the page has a real origin and cannot read other local files).
import { readFile } from 'node:fs/promises';
import { securityHeaders } from '../serve/content-policy.js';
import { resolveStaticFile } from '../serve/static-files.js';
import { APP_ORIGIN, APP_SCHEME } from './window-security.js';

export const appSchemePrivileges = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false },
};

export function appProtocolHandler(rendererRoot: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN || request.method !== 'GET') {
      return new Response('not found', { status: 404 });
    }
    const file = resolveStaticFile(rendererRoot, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    const body = await readFile(file.path);
    return new Response(body, { status: 200, headers: { ...securityHeaders(), 'Content-Type': file.contentType } });
  };
}
