// Tensor names as tables and charts show them: without the prefix every tensor
// of the model shares ("model.") and without ".weight" — the part that differs.

/** The common dotted prefix of `names` ("model."), or '' when there is none. */
export function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let p = names[0];
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  p = p.slice(0, p.lastIndexOf('.') + 1);
  // Keep the block container with its index ("layers.0", not "0").
  while (p && /^\d/.test(names[0].slice(p.length))) p = p.slice(0, p.slice(0, -1).lastIndexOf('.') + 1);
  return p;
}

export function shortName(name: string, prefix: string): string {
  return (name.startsWith(prefix) ? name.slice(prefix.length) : name).replace(/\.weight$/, '');
}

/** For a narrow column: also without the sub-module (the projection's name says attention or MLP). */
export function compactName(name: string, prefix: string): string {
  return shortName(name, prefix).replace(/\.(self_attn|mlp)\./, '.');
}
