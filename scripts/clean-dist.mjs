// Empties dist/ before tsc writes it, so a test or module whose source was
// moved or deleted cannot linger there and still be run (tsc never deletes).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
