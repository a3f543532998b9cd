import { defineConfig } from 'vitest/config';

// One runner for every tier: test/unit, test/integration, test/differential
// (the lab against QEMU) and test/e2e (headless Chromium against web mode).
// Benchmarks live in bench/ and never run here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
