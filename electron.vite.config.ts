import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

// Three builds: main (the Electron entry, the web-mode server and the guest
// worker, all CommonJS for Node), the sandboxed preload (one self-contained
// CommonJS file: a sandboxed preload cannot load node_modules), and the Vue
// renderer. The guest worker is its own entry, out/main/guest-worker.js,
// which LabSession finds next to the entry that runs it
// (src/main/lab/worker-script.ts).
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          web: resolve(__dirname, 'src/main/web/index.ts'),
          'guest-worker': resolve(__dirname, 'src/main/guest/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [vue()],
    build: {
      rolldownOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
