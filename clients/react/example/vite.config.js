// The example app: `npx vite example` (dev) or `npx vite build example` from clients/react.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  // JSX without @vitejs/plugin-react: esbuild's automatic runtime is enough here.
  esbuild: { jsx: 'automatic' },
  // The package itself, as an app that installed it would import it.
  resolve: { alias: { 'herald-react': fileURLToPath(new URL('../index.js', import.meta.url)) } },
  build: { target: 'es2022' },
});
