// What the evaluation code needs from a tokenizer, whatever file it came from.

export interface TextTokenizer {
  /** Number of token ids (vocabulary plus added tokens). */
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  /** Ids that end a generation (eos, and e.g. <|eot_id|> when the model config lists it). */
  readonly eosIds: readonly number[];
  /** Whether encode() puts BOS first (tokenizer_config add_bos_token / GGUF add_bos_token). */
  readonly addBos: boolean;
  readonly addEos: boolean;
  /**
   * Text → ids. `addSpecial` (default true) adds BOS/EOS as the tokenizer's
   * settings say; special tokens written in the text are never parsed as such.
   */
  encode(text: string, opts?: { addSpecial?: boolean }): number[];
  /** Ids → text; `skipSpecial` drops control tokens (BOS, EOS, …). */
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
  /** The token's own text as stored in the vocabulary (e.g. "▁the", "<0x0A>", "Ġthe"). */
  piece(id: number): string | undefined;
  isSpecial(id: number): boolean;
}
