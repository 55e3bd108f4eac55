import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: Node resolves graphql 16 to its CommonJS build (mercurius requires it);
  // Vite would pick the ESM build for ESM importers and graphql refuses to mix realms.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // PGlite needs ~400 MB per file and the machine has 2 cores.
    maxWorkers: 2,
  },
});
