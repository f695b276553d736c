// How far B's residual stream is from A's after each block: mean cosine
// similarity over positions, and relative MSE Σ‖b − a‖² / Σ‖a‖² — the curve
// that shows where in the network compression does its damage.

export interface LayerError {
  layer: number;
  /** Mean over positions of cos(a_t, b_t). */
  cosine: number;
  /** Σ_t ‖b_t − a_t‖² / Σ_t ‖a_t‖². */
  relMse: number;
}

export function layerErrorAccumulator(layers: number, hidden: number) {
  const cos = new Float64Array(layers), num = new Float64Array(layers), den = new Float64Array(layers);
  let positions = 0;
  return {
    /** Hidden states [layers, T, hidden] of one window, over the given batch rows. */
    add(a: Float32Array, b: Float32Array, T: number, rows: readonly number[]): void {
      for (let l = 0; l < layers; l++) {
        for (const t of rows) {
          const off = (l * T + t) * hidden;
          let ab = 0, aa = 0, bb = 0, dd = 0;
          for (let i = 0; i < hidden; i++) {
            const x = a[off + i], y = b[off + i];
            ab += x * y; aa += x * x; bb += y * y; dd += (x - y) * (x - y);
          }
          cos[l] += aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : aa === bb ? 1 : 0;
          num[l] += dd;
          den[l] += aa;
        }
      }
      positions += rows.length;
    },
    result(): LayerError[] {
      return Array.from({ length: layers }, (_, l) => ({ layer: l, cosine: cos[l] / positions, relMse: den[l] > 0 ? num[l] / den[l] : 0 }));
    },
  };
}
