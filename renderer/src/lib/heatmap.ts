// The layer-by-layer heat map: one cell per (role, layer) holding the outlier
// share (or another statistic) of that tensor.
import type { TensorInfo, TensorStatsRow } from '../../../electron/common/contract';

export interface HeatmapData {
  layers: number[];
  roles: string[];
  /** [layerIndex, roleIndex, value, tensorName] */
  cells: [number, number, number, string][];
  max: number;
}

export function buildHeatmap(
  tensors: TensorInfo[],
  stats: ReadonlyMap<string, TensorStatsRow>,
  pick: (s: TensorStatsRow) => number = (s) => s.outlierShare,
): HeatmapData {
  const inBlocks = tensors.filter((t) => t.layer !== null && t.shape.length >= 2);
  const layers = [...new Set(inBlocks.map((t) => t.layer as number))].sort((a, b) => a - b);
  // Roles in the order they first appear in a block (q, k, v, o, gate, up, down…).
  const roles = [...new Set(inBlocks.map((t) => t.role))];
  const cells: HeatmapData['cells'] = [];
  let max = 0;
  for (const t of inBlocks) {
    const s = stats.get(t.name);
    if (!s) continue;
    const v = pick(s);
    if (!Number.isFinite(v)) continue;
    max = Math.max(max, v);
    cells.push([layers.indexOf(t.layer as number), roles.indexOf(t.role), v, t.name]);
  }
  return { layers, roles, cells, max };
}
