// Window-wide keyboard shortcuts, the same in the desktop app and the browser.
import { onBeforeUnmount, onMounted } from 'vue';

export interface Shortcut {
  /** `mod` is Ctrl, or Cmd on macOS. */
  key: string;
  mod?: boolean;
  shift?: boolean;
  run: () => void;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = isMac ? '⌘' : 'Ctrl';

export function useShortcuts(shortcuts: Shortcut[]): void {
  const onKey = (e: KeyboardEvent) => {
    const mod = isMac ? e.metaKey : e.ctrlKey;
    for (const s of shortcuts) {
      if (e.key.toLowerCase() === s.key.toLowerCase() && !!s.mod === mod && !!s.shift === e.shiftKey && !e.altKey) {
        e.preventDefault();
        s.run();
        return;
      }
    }
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
