// The recipe being edited, checked against the open model as it changes:
// problems, what happens to each tensor, and the size it will come to.
import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { RecipeCheck, RecipeDocument, RecipePresetInfo } from '../../../electron/common/contract';
import type { StudioErrorInfo } from '../../../electron/common/errors';
import { studioApi } from '../api/client';
import { errorInfo, useAppStore } from './app';
import { useModelsStore } from './models';

const DEFAULT_PRESET = 'int4-g32';

/** A deep copy of plain JSON data (reactive proxies included, which structuredClone refuses). */
export function plainCopy<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}
const CHECK_DELAY_MS = 200;

export const useRecipeStore = defineStore('recipe', () => {
  const presets = ref<RecipePresetInfo[]>([]);
  const presetId = ref<string | null>(null);
  const doc = ref<RecipeDocument>({ quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } });
  const check = shallowRef<RecipeCheck | null>(null);
  const checking = ref(false);
  const checkError = ref<StudioErrorInfo | null>(null);
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function loadPresets(): Promise<void> {
    if (presets.value.length) return;
    try {
      presets.value = await studioApi().call('recipes.presets', {});
      if (presetId.value === null) choosePreset(DEFAULT_PRESET);
    } catch (e) {
      useAppStore().reportError('Could not load the recipe presets', e);
    }
  }

  function choosePreset(id: string): void {
    const p = presets.value.find((x) => x.id === id);
    if (!p) return;
    presetId.value = id;
    doc.value = plainCopy(p.recipe) as RecipeDocument;
  }

  /** Replaces the document (form edits, YAML edits, a loaded file); it no longer is a preset. */
  function setDoc(next: RecipeDocument, fromPreset: string | null = null): void {
    doc.value = next;
    presetId.value = fromPreset;
  }

  async function runCheck(): Promise<void> {
    const model = useModelsStore().current;
    if (!model) {
      check.value = null;
      return;
    }
    const mine = ++seq;
    checking.value = true;
    try {
      const r = await studioApi().call('recipes.check', { modelId: model.modelId, recipe: doc.value as Record<string, unknown> });
      if (mine === seq) {
        check.value = r;
        checkError.value = null;
      }
    } catch (e) {
      if (mine === seq) checkError.value = errorInfo(e);
    } finally {
      if (mine === seq) checking.value = false;
    }
  }

  function scheduleCheck(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void runCheck(), CHECK_DELAY_MS);
  }

  watch(doc, scheduleCheck, { deep: true });
  watch(() => useModelsStore().current, () => void runCheck());

  async function loadFile(path: string): Promise<boolean> {
    try {
      const { recipe } = await studioApi().call('recipes.load', { path });
      setDoc(recipe as RecipeDocument);
      return true;
    } catch (e) {
      useAppStore().reportError('Could not load the recipe', e);
      return false;
    }
  }

  async function saveFile(path: string): Promise<boolean> {
    try {
      await studioApi().call('recipes.save', { path, recipe: doc.value as Record<string, unknown> });
      useAppStore().notify('info', 'Recipe saved', path);
      return true;
    } catch (e) {
      useAppStore().reportError('Could not save the recipe', e);
      return false;
    }
  }

  return { presets, presetId, doc, check, checking, checkError, loadPresets, choosePreset, setDoc, runCheck, loadFile, saveFile };
});
