// Checks every browser-mode request passes before it reaches the studio: the
// Host header names our loopback address (no DNS rebinding), the Origin (when
// the browser sends one) is our own page, and the secret token is present.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh secret for one server run: 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'];

/** Host must be exactly 127.0.0.1:<port> or localhost:<port> (the port we listen on). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** The origins our own page has. */
export function ownOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

/**
 * A browser sends Origin on POSTs and WebSocket handshakes; any other page's
 * origin is refused. `required`: refuse a missing Origin too (WebSocket, which
 * browsers let any page open).
 */
export function originAllowed(origin: string | undefined, port: number, required: boolean): boolean {
  if (origin === undefined) return !required;
  return ownOrigins(port).includes(origin.toLowerCase());
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(given), b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookies are shared by every port of a host, so ours carries the port in its name. */
export const cookieName = (port: number): string => `mcs-token-${port}`;

export function cookieToken(cookieHeader: string | undefined, port: number): string | undefined {
  if (!cookieHeader) return undefined;
  const name = cookieName(port);
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
