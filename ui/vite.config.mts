import { defineConfig } from 'vite';

// The console is built into dist/ui and served by the registry at /ui: nothing is fetched from elsewhere.
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  build: {
    outDir: '../dist/ui',
    // Built over the console already there, not into an emptied folder: a server serving it (a test, an instance
    // while `npm start` rebuilds beside it) never finds it gone for the seconds a build takes. Asset names carry
    // their content's hash, so an unchanged build rewrites the same files and a changed one adds its own.
    emptyOutDir: false,
    // The lineage page carries the layout engine (elkjs, 1.6 MB): it is loaded only with that page.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React Flow's "use client" marks server components; there are none here.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  server: {
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      '/artifacts': 'http://127.0.0.1:4000',
      '/models': 'http://127.0.0.1:4000',
    },
  },
});
