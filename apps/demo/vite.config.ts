import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The React page is built into dist/web and served by the demo service itself.
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022' },
});
