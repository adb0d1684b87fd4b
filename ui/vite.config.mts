import { defineConfig } from 'vite';

// The console is built into dist/ui and served by the registry at /ui: nothing is fetched from elsewhere.
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
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
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true }, '/artifacts': 'http://127.0.0.1:4000' } },
});
