// Sequential reads through a GGUF header in 1 MB windows. Every length and count
// is compared with the bytes left in the file before anything is allocated, so a
// corrupt count fails at once instead of allocating or looping for ever.
import { badFile } from '../../common/errors.js';
import type { BoundedFile } from './file-reader.js';

const WINDOW = 1 << 20;
/** No GGUF string comes close to this (chat templates are kilobytes). */
export const GGUF_MAX_STRING = 64 * 1024 * 1024;

/** What is being read, for messages; a function so hot loops build no strings unless something fails. */
export type Label = string | (() => string);
const text = (l: Label): string => (typeof l === 'string' ? l : l());

export class GgufCursor {
  pos = 0;
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;

  constructor(readonly file: BoundedFile) {}

  get remaining(): number {
    return this.file.size - this.pos;
  }

  fail(problem: string, tensor?: string): Error {
    return badFile(this.file.path, problem, tensor);
  }

  /** Makes bytes [pos, pos + n) available in the window; `what` names them when the file is too short. */
  private need(n: number, what: Label): number {
    const at = this.pos - this.bufStart;
    if (at + n <= this.buf.length) return at;
    if (n > this.remaining) throw this.fail(`${text(what)} at byte ${this.pos} needs ${n} bytes but only ${this.remaining} remain (truncated?)`);
    this.buf = this.file.read(this.pos, Math.min(Math.max(n, WINDOW), this.remaining), text(what));
    this.bufStart = this.pos;
    return 0;
  }

  u8(what: Label): number {
    const at = this.need(1, what); // before touching this.buf: need() may replace it
    const v = this.buf[at];
    this.pos += 1;
    return v;
  }
  u32(what: Label): number {
    const at = this.need(4, what);
    const v = this.buf.readUInt32LE(at);
    this.pos += 4;
    return v;
  }
  /** A u64 that must fit a JS number (counts, lengths, offsets, dimensions). */
  size(what: Label, tensor?: string): number {
    const at = this.need(8, what);
    const lo = this.buf.readUInt32LE(at), hi = this.buf.readUInt32LE(at + 4);
    this.pos += 8;
    if (hi > 0x1fffff) throw this.fail(`${text(what)} of ${(BigInt(hi) << 32n) | BigInt(lo)} is impossibly large`, tensor);
    return hi * 2 ** 32 + lo;
  }
  /** A count of items each at least `minBytes` long: refused when the rest of the file cannot hold them. */
  count(what: Label, minBytes: number, tensor?: string): number {
    const n = this.size(what, tensor);
    if (n * minBytes > this.remaining) throw this.fail(`${text(what)} of ${n} cannot fit in the ${this.remaining} bytes left in the file`, tensor);
    return n;
  }

  string(what: Label, tensor?: string): string {
    const n = this.size(() => `length of ${text(what)}`, tensor);
    if (n > GGUF_MAX_STRING) throw this.fail(`${text(what)} claims ${n} bytes, more than any GGUF string`, tensor);
    const at = this.need(n, what);
    this.pos += n;
    return this.buf.toString('utf8', at, at + n);
  }

  /** `n` length-prefixed strings (vocabularies, merges): one tight loop, labels built only on failure. */
  strings(n: number, what: Label): string[] {
    const out: string[] = [];
    let buf = this.buf, at = this.pos - this.bufStart;
    for (let i = 0; i < n; i++) {
      if (at + 8 > buf.length) {
        at = this.need(8, () => `length of element ${i} of ${text(what)}`);
        buf = this.buf;
      }
      const len = buf[at] + buf[at + 1] * 0x100 + buf[at + 2] * 0x10000 + buf[at + 3] * 0x1000000;
      if (len > GGUF_MAX_STRING || buf[at + 4] | buf[at + 5] | buf[at + 6] | buf[at + 7]) {
        throw this.fail(`element ${i} of ${text(what)} claims ${buf.readBigUInt64LE(at)} bytes, more than any GGUF string`);
      }
      at += 8;
      this.pos += 8;
      if (at + len > buf.length) {
        at = this.need(len, () => `element ${i} of ${text(what)}`);
        buf = this.buf;
      }
      out.push(buf.toString('utf8', at, at + len));
      at += len;
      this.pos += len;
    }
    return out;
  }

  /** `n` fixed-size values decoded by `read(buffer, offsetInBuffer)`, as a plain array. */
  many<T>(n: number, bytes: number, what: Label, read: (b: Buffer, at: number) => T): T[] {
    const at = this.need(n * bytes, what);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = read(this.buf, at + i * bytes);
    this.pos += n * bytes;
    return out;
  }

  skipTo(pos: number): void {
    this.pos = pos;
  }
}
