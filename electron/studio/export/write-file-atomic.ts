// Small whole-file writes; the general atomic helpers live in atomic.ts.
export { writeFileAtomic } from './atomic.js';
