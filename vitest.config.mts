import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// One runner for every tier: test/unit, test/integration, test/differential
// (the lab against QEMU) and test/e2e (headless Chromium against web mode).
// Benchmarks live in bench/ and never run here.
export default defineConfig({
  // Renderer component tests mount .vue files (test/unit/renderer, in happy-dom).
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Bundles the guest worker once (tests that start guests need it).
    globalSetup: ['test/support/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
