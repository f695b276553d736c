// Turns tokens into text as they are generated. A character may be split over
// several byte tokens (byte fallback, byte-level BPE), and decoders drop a
// leading space at the start of a text, so each step decodes a short window
// that starts a few tokens back and emits only what the newest tokens added,
// holding back text that still ends in an incomplete UTF-8 sequence (U+FFFD).
import type { TextTokenizer } from './types.js';

export class TextStream {
  private ids: number[];
  private prefix: number; // window start
  private read: number; // tokens whose text has been emitted

  /** `context`: tokens before the first streamed one (e.g. the prompt), for spacing. */
  constructor(private readonly tok: TextTokenizer, context: readonly number[] = []) {
    this.ids = context.slice(-4).filter((id) => !tok.isSpecial(id));
    this.prefix = 0;
    this.read = this.ids.length;
  }

  /** The text that `id` completes (possibly ""). */
  push(id: number): string {
    if (this.tok.isSpecial(id)) return '';
    this.ids.push(id);
    const before = this.tok.decode(this.ids.slice(this.prefix, this.read));
    const after = this.tok.decode(this.ids.slice(this.prefix));
    if (after.length <= before.length || after.endsWith('\uFFFD') || !after.startsWith(before)) return '';
    this.prefix = this.read;
    this.read = this.ids.length;
    return after.slice(before.length);
  }

  /** Whatever is still held back (an incomplete character at the end). */
  flush(): string {
    const before = this.tok.decode(this.ids.slice(this.prefix, this.read));
    const after = this.tok.decode(this.ids.slice(this.prefix));
    this.prefix = this.read = this.ids.length;
    return after.startsWith(before) ? after.slice(before.length) : '';
  }
}
