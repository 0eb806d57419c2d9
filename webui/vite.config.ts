import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The api worker serves dist/ (SPA fallback; hashed assets cached long). In dev, /api goes to a
// locally running api worker.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': { target: process.env.POWERPULSE_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
