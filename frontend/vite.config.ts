import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// base './' so the same build works inside the Wails asset server and at "/" of `ytsum serve`.
export default defineConfig({
  base: './',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true, // public/.gitkeep re-creates dist/.gitkeep on every build
    target: 'es2020',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
  },
});
