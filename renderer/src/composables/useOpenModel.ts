// Opening a model from anywhere in the window: the Start screen's buttons,
// Ctrl/Cmd+O, a file dropped on the window.
import { ref } from 'vue';
import { studioApi } from '../api/client';
import { useAppStore } from '../stores/app';
import { useModelsStore } from '../stores/models';

/** Bumped to ask the Start screen's path field for focus (browser mode's Ctrl/Cmd+O). */
export const focusPathField = ref(0);

export function useOpenModel() {
  const app = useAppStore();
  const models = useModelsStore();

  /** Desktop: the native dialog. Browser: the path field on the Start screen. */
  async function chooseAndOpen(kind: 'file' | 'folder'): Promise<void> {
    if (!app.isDesktop) {
      app.go('start');
      focusPathField.value++;
      return;
    }
    try {
      const { path } = await studioApi().call('dialogs.openModel', { kind });
      if (path) await models.open(path);
    } catch (e) {
      app.reportError('Could not open the model', e);
    }
  }

  async function openDropped(files: FileList | null | undefined): Promise<void> {
    const file = files?.[0];
    if (!file) return;
    const path = window.studio?.pathForFile(file) ?? '';
    if (!path) {
      app.notify('info', 'Type the path instead', 'Browsers do not reveal where a dropped file lives: type or paste its full path on the Start screen.');
      app.go('start');
      focusPathField.value++;
      return;
    }
    app.go('start');
    await models.open(path);
  }

  return { chooseAndOpen, openDropped };
}
