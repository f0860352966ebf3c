import { createRequire } from 'node:module';

// A module loaded the first time it is used, not when the module that names
// it is loaded. Most commands never touch most of what the code can do (a
// no-op build parses no YAML, writes no image, opens no pty), and loading
// a package costs more CPU than their whole work (npm run bench:startup).
// A CommonJS require keeps the callers synchronous. The bundler
// (scripts/bundle.mjs) leaves these requires alone, so the package stays
// out of the command's chunks and is read from node_modules when needed.

export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(specifier) as T);
}
