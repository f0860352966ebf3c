import { recipeSources, type Source } from '../fetch/source.js';
import { sandboxUid, type SandboxSpec } from '../exec/sandbox.js';
import { fail } from '../diagnostics/diagnostic.js';
import type { Recipe } from '../resolve/recipe.js';
import type { BuildContext } from './context.js';

// What one recipe's shell tasks see of the host (core/exec/sandbox.ts does
// the mounting): its work folder writable; inside it the sysroot read-only,
// since other recipes' installs are copied there; each of its own sources
// read-only, by exact path, so neither the rest of the download folder nor
// the layer folders around a local file are visible.

/** Where a source's bytes are: a local file in its layer, or the verified file in the download folder. */
export function sourcePath(s: Source, ctx: BuildContext): string {
  return s.kind === 'local' ? s.path : ctx.fetcher.dir.finalPath(s.name);
}

/**
 * Conditions `strata reproduce` varies between its two builds, through the
 * environment of the strata process (docs/releases.md): the host name the
 * tasks see and, as root, the host uid they run as. Neither may change an
 * output, so neither is part of a task's signature.
 */
export const SANDBOX_HOSTNAME_ENV = 'STRATA_SANDBOX_HOSTNAME';
export const SANDBOX_UID_ENV = 'STRATA_SANDBOX_UID';

function fromEnvironment(env: NodeJS.ProcessEnv): { uid?: number; hostname?: string } {
  const [host, uid] = [env[SANDBOX_HOSTNAME_ENV], env[SANDBOX_UID_ENV]];
  if (host !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(host)) {
    fail('sandbox-env', `${SANDBOX_HOSTNAME_ENV}='${host}' is not a host name`, undefined, { hint: 'letters, digits, dots and dashes, at most 63' });
  }
  if (uid !== undefined && !/^[1-9][0-9]{0,9}$/.test(uid)) {
    fail('sandbox-env', `${SANDBOX_UID_ENV}='${uid}' is not a uid above 0`, undefined, { hint: 'unset it, or give a uid of the subordinate range in /etc/subuid' });
  }
  return { ...(host ? { hostname: host } : {}), ...(uid ? { uid: Number(uid) } : {}) };
}

let conditions: { uid: number; hostname?: string } | undefined;

export function taskSandbox(r: Recipe, ctx: BuildContext): SandboxSpec {
  conditions ??= { uid: sandboxUid(), ...fromEnvironment(process.env) };
  return {
    writable: [r.data.get('WORKDIR')],
    readOnly: [r.data.get('SYSROOT'), ...recipeSources(r).map((s) => sourcePath(s, ctx))],
    ...conditions,
  };
}
