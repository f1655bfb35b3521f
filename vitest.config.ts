import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.git/**'],
    testTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: on a 2-core machine (CI, the dev box) that is ONE fork,
    // and the whole suite ran serially. At least two forks; the default where there are more cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
