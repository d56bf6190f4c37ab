import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Built into dist/, which the API's build copies next to its dll and serves at /console.
export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:5080' } },
  test: { environment: 'jsdom' },
});
