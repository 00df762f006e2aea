import { defineConfig } from 'vite';

// The web client: built to web/dist and served by the gateway at /. No React plugin is
// needed for a production build: esbuild compiles TSX with the automatic JSX runtime.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
    rollupOptions: {
      // Glide's bundle carries /*#__PURE__*/ comments Rollup cannot place: noise, not a problem.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/socket.io': { target: 'http://localhost:5000', ws: true },
      '/upload': 'http://localhost:5000',
      '/download': 'http://localhost:5000',
      '/api': 'http://localhost:5000',
    },
  },
});
