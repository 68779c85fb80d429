import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql@16 has no "exports": Vite would pick its ESM build for our code while Node loads
    // the CJS build for Pothos and Yoga, and two copies of graphql cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Two cores here and in CI: two forks, each file isolated (own ports, own database).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
