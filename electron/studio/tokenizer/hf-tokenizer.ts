// tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers.
// BOS/EOS are added here, from tokenizer_config's add_bos_token/add_eos_token
// (what transformers' Llama tokenizers do) or, without those keys, from the
// post-processor template, so the GGUF path and this one share one rule.
import { Tokenizer } from '@huggingface/tokenizers';
import { StudioError } from '../../common/errors.js';
import type { TextTokenizer } from './types.js';

export interface TokenizerSettings {
  bosId?: number;
  eosIds?: number[];
  addBos?: boolean;
  addEos?: boolean;
}

interface TokenizerJson {
  model?: { vocab?: Record<string, number> | [string, number][] };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  post_processor?: { type?: string; single?: ({ SpecialToken?: { id: string } } | { Sequence?: unknown })[] } | null;
}

type TokenRef = string | { content?: string } | null | undefined;
interface TokenizerConfig {
  bos_token?: TokenRef;
  eos_token?: TokenRef;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
}

const refText = (t: TokenRef): string | undefined => (typeof t === 'string' ? t : t?.content ?? undefined);

/** Special tokens the post-processor puts before and after a single sequence. */
function templateSpecials(json: TokenizerJson): { before: string[]; after: string[] } {
  const single = json.post_processor?.type === 'TemplateProcessing' ? json.post_processor.single ?? [] : [];
  const seq = single.findIndex((p) => 'Sequence' in p);
  const ids = (ps: typeof single) => ps.flatMap((p) => ('SpecialToken' in p && p.SpecialToken ? [p.SpecialToken.id] : []));
  return seq < 0 ? { before: [], after: [] } : { before: ids(single.slice(0, seq)), after: ids(single.slice(seq + 1)) };
}

export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosIds: readonly number[];
  readonly addBos: boolean;
  readonly addEos: boolean;
  private readonly tok: Tokenizer;
  private readonly special: Set<number>;
  private readonly pieces: string[];

  constructor(json: unknown, config: unknown = {}, settings: TokenizerSettings = {}, file = 'tokenizer.json') {
    const j = json as TokenizerJson;
    const c = (config ?? {}) as TokenizerConfig;
    try {
      this.tok = new Tokenizer(j, c);
    } catch (e) {
      throw new StudioError('BAD_FILE', `${file}: the tokenizer cannot be built: ${(e as Error).message}`, { file });
    }
    const vocab = this.tok.get_vocab(true);
    this.pieces = [];
    for (const [text, id] of vocab) this.pieces[id] = text;
    this.vocabSize = this.pieces.length;
    this.special = new Set((j.added_tokens ?? []).filter((a) => a.special).map((a) => a.id));
    const idOf = (t: string | undefined) => (t === undefined ? undefined : this.tok.token_to_id(t));
    const template = templateSpecials(j);
    const bosText = refText(c.bos_token) ?? template.before[0];
    this.bosId = settings.bosId ?? idOf(bosText);
    const eos = idOf(refText(c.eos_token));
    this.eosIds = [...new Set([...(settings.eosIds ?? []), ...(eos !== undefined ? [eos] : [])])];
    this.addBos = settings.addBos ?? c.add_bos_token ?? (template.before.length > 0 && this.bosId !== undefined);
    this.addEos = settings.addEos ?? c.add_eos_token ?? template.after.length > 0;
  }

  encode(text: string, opts: { addSpecial?: boolean } = {}): number[] {
    const ids = this.tok.encode(text, { add_special_tokens: false }).ids;
    if (opts.addSpecial === false) return ids;
    const out = this.addBos && this.bosId !== undefined ? [this.bosId, ...ids] : ids;
    if (this.addEos && this.eosIds.length > 0) out.push(this.eosIds[0]);
    return out;
  }

  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    if (ids.length === 0) return ''; // the library refuses an empty list
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecial ?? false, clean_up_tokenization_spaces: false });
  }

  piece(id: number): string | undefined {
    return this.pieces[id];
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }
}
