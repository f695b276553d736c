// Chart colours taken from the page's CSS variables, so charts follow the
// light/dark theme (and change with it while the window is open).
import { computed, ref } from 'vue';

const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
const dark = ref(query?.matches ?? false);
query?.addEventListener('change', (e) => (dark.value = e.matches));

export interface ChartColors {
  dark: boolean;
  text: string;
  muted: string;
  grid: string;
  axis: string;
  panel: string;
  accent: string;
  second: string;
  danger: string;
  warn: string;
  ok: string;
  heat: string[];
}

function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function useChartColors() {
  return computed<ChartColors>(() => {
    const isDark = dark.value;
    return {
      dark: isDark,
      text: cssVar('--text-2', '#3c4450'),
      muted: cssVar('--muted', '#6b7482'),
      grid: cssVar('--border', '#e2e5ea'),
      axis: cssVar('--border-strong', '#cfd4dc'),
      panel: cssVar('--panel', '#ffffff'),
      accent: cssVar('--accent', '#3d63dd'),
      second: isDark ? '#f5a25d' : '#e07b24',
      danger: cssVar('--danger', '#cf3b34'),
      warn: cssVar('--warn', '#b7791f'),
      ok: cssVar('--ok', '#17885c'),
      // Zero must still read as a cell, not as the background.
      heat: isDark ? ['#26324a', '#2f55a8', '#7462dc', '#de6596', '#ffb36b'] : ['#e4ebfa', '#a9c0f2', '#6f8fe8', '#b452b8', '#e8532f'],
    };
  });
}

/** Options every chart shares: fonts, tooltip and axis styling. */
export function baseOption(c: ChartColors) {
  return {
    animation: false,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', color: c.text, fontSize: 11 },
    tooltip: {
      backgroundColor: c.panel,
      borderColor: c.axis,
      textStyle: { color: c.text, fontSize: 12 },
      extraCssText: 'box-shadow: 0 6px 18px rgba(0,0,0,.18); border-radius: 6px;',
    },
  };
}

export function axisStyle(c: ChartColors) {
  return {
    axisLine: { lineStyle: { color: c.axis } },
    axisTick: { lineStyle: { color: c.axis } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.grid } },
    nameTextStyle: { color: c.muted },
  };
}
