import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

// /docs (the API browser) uses Swagger UI from the image, not from a CDN: the build copies it from
// the swagger-ui-dist package into dist/docs-assets (app/powerpulse/api/docs.html loads it there).
const SWAGGER_FILES = ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'];
function swaggerUiAssets(): Plugin {
  return {
    name: 'powerpulse-swagger-ui-assets',
    apply: 'build',
    writeBundle(options) {
      const source = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      const target = join(options.dir ?? 'dist', 'docs-assets');
      mkdirSync(target, { recursive: true });
      for (const name of SWAGGER_FILES) copyFileSync(join(source, name), join(target, name));
    },
  };
}

// The api worker serves dist/ (SPA fallback; hashed assets cached long). In dev, /api goes to a
// locally running api worker.
export default defineConfig({
  plugins: [react(), swaggerUiAssets()],
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
    setupFiles: ['src/test/setup.ts'],
  },
});
