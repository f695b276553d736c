// Builds the window (renderer-dist/): relative asset paths so the same files
// load from app://studio/ (desktop) and http://127.0.0.1:port/ (browser mode).
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../renderer-dist', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // One chunk per concern keeps the first paint small; charts load with it anyway.
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
  },
});
