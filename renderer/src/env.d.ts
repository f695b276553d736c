/// <reference types="vite/client" />
import type { StudioBridge } from '../../electron/common/contract';

declare global {
  interface Window {
    /** Present in the desktop app (exposed by the preload); absent in browser mode. */
    studio?: StudioBridge;
  }
}

export {};
