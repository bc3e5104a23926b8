/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// During development the Go server runs on :8080 and serves the API, the live
// rooms and the event stream; Vite proxies them so cookies stay same-origin.
const backend = process.env.ASK2LIVE_BACKEND ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: false },
      '/media': { target: backend },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    // A test that waits for the page (findBy…) may take a while on a busy
    // machine; none waits for time itself.
    testTimeout: 30000,
  },
});
