// The window as a whole: what the engine is, which screen shows, and the
// messages (errors above all) the person should read.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SystemInfo } from '../../../electron/common/contract';
import { StudioError, type StudioErrorInfo } from '../../../electron/common/errors';
import { studioApi } from '../api/client';

export type ScreenId = 'start' | 'model' | 'recipe' | 'run' | 'results' | 'compare';

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'info';
  title: string;
  message: string;
  /** Where: a file, a tensor. */
  detail?: string;
}

let noticeId = 0;

/** Any thrown value as the error info the window shows. */
export function errorInfo(e: unknown): StudioErrorInfo {
  if (e instanceof StudioError) return e.toJSON();
  if (e instanceof Error) return { code: 'INTERNAL', message: e.message };
  return { code: 'INTERNAL', message: String(e) };
}

export const useAppStore = defineStore('app', () => {
  const info = ref<SystemInfo | null>(null);
  const screen = ref<ScreenId>('start');
  const notices = ref<Notice[]>([]);
  const connected = ref(true);
  const bootError = ref<StudioErrorInfo | null>(null);

  const isDesktop = computed(() => info.value?.transport === 'desktop');

  async function init(): Promise<void> {
    try {
      info.value = await studioApi().call('system.info', {});
    } catch (e) {
      bootError.value = errorInfo(e);
    }
  }

  function go(to: ScreenId): void {
    screen.value = to;
  }

  function notify(kind: Notice['kind'], title: string, message: string, detail?: string): Notice {
    const n = { id: ++noticeId, kind, title, message, detail };
    // Newest first; the same message twice in a row shows once.
    notices.value = [n, ...notices.value.filter((x) => x.message !== message)].slice(0, 5);
    return n;
  }

  function reportError(title: string, e: unknown): void {
    const err = errorInfo(e);
    const where = [err.file, err.tensor && `tensor ${err.tensor}`].filter(Boolean).join(' · ');
    notify('error', title, err.message, where || undefined);
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return { info, screen, notices, connected, bootError, isDesktop, init, go, notify, reportError, dismiss };
});
