import { diag, UserError, type SourceLocation } from '../../diagnostics/diagnostic.js';
import type { Located, SourceSpec } from '../../metadata/body.js';
import { isSha256, type Sha256 } from '../../model/ids.js';
import { redactUrl } from '../../diagnostics/redact.js';

// A `git:` source, checked and named. It is pinned to a full commit id (the
// content's own hash, so it is the trust anchor) and names the branch or tag
// that commit must be reachable from, so a recipe cannot silently build a
// commit its upstream never published on that branch.
//
//   sources:
//     - git: https://example.org/widget.git
//       rev: 0123456789abcdef0123456789abcdef01234567
//       branch: main            # or tag: v1.2
//
// Everything else derives from the URL and the commit: the bare clone in the
// download folder, the tarball's name (so mirrors find it by name), and the
// folder the checkout lands in under ${WORKDIR}.

export type GitRef = { readonly kind: 'branch' | 'tag'; readonly name: string };

export interface GitSource {
  readonly kind: 'git';
  readonly recipe: string;
  /** The repository URL as written; may hold credentials, so print it only through redactUrl. */
  readonly url: string;
  /** Full commit id: 40 hex digits (SHA-1 repositories) or 64 (SHA-256 ones). */
  readonly rev: string;
  readonly ref: GitRef;
  /** Optional sha256 of the tarball; when given, mirrors are also searched by it and every copy must match. */
  readonly sha256?: Sha256;
  /** The deterministic tarball's file name in the download folder and in mirrors. */
  readonly name: string;
  /** The bare clone, relative to the download folder. */
  readonly clone: string;
  /** Folder under ${WORKDIR} the checkout is unpacked into (the tarball's top folder). */
  readonly checkout: string;
  readonly unpack: boolean;
  readonly loc: SourceLocation;
}

const SCHEMES = ['https:', 'http:', 'git:', 'ssh:', 'file:'];
const FULL_REV = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// The rules of `git check-ref-format` that matter for a name written in a recipe.
const BAD_REF = /(^[-/.]|\/\.|\.\.|[\s~^:?*[\\\x00-\x1f\x7f]|@\{|\.lock$|\/$|\.$|^@$)/;

/** Characters of a URL path or host that may appear in a file name; others become `_`. */
const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9.+-]+/g, '_');

interface Repo {
  readonly host: string;
  /** Path segments, without a trailing `.git`. */
  readonly segments: readonly string[];
}

function parseRepo(url: string, loc: SourceLocation, recipe: string): Repo {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      diag('git-url', `${recipe}: '${redactUrl(url)}' is not a git repository URL`, loc, {
        hint: 'write a URL: https://host/path.git, git://host/path, ssh://user@host/path or file:///absolute/path (for scp-like `user@host:path`, write ssh://user@host/path)',
      }),
    );
  }
  if (!SCHEMES.includes(u.protocol)) {
    throw new UserError(
      diag('git-url', `${recipe}: git over '${u.protocol.slice(0, -1)}' is not supported`, loc, {
        hint: `use one of ${SCHEMES.map((s) => s + '//').join(', ')}`,
      }),
    );
  }
  const segments = decodeURIComponent(u.pathname).split('/').filter(Boolean);
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..')) {
    throw new UserError(diag('git-url', `${recipe}: git URL '${redactUrl(url)}' has no repository path`, loc));
  }
  const last = segments.length - 1;
  const trimmed = [...segments.slice(0, last), segments[last].replace(/\.git$/, '') || 'git'];
  // The port is left out: it says how to reach a repository, not which one it is.
  return { host: u.protocol === 'file:' ? 'localhost' : u.hostname.toLowerCase(), segments: trimmed };
}

function checkRev(rev: Located<string> | undefined, recipe: string, loc: SourceLocation): string {
  if (!rev || !rev.value) {
    throw new UserError(
      diag('git-rev-missing', `${recipe}: git source has no 'rev'`, loc, {
        hint: 'pin the source to a full commit id: `rev: <40 hex digits>` (git rev-parse <branch> prints it)',
      }),
    );
  }
  if (!FULL_REV.test(rev.value)) {
    const abbreviated = /^[0-9a-f]{4,39}$/.test(rev.value);
    throw new UserError(
      diag('git-rev-not-full', `${recipe}: git rev '${rev.value}' is not a full commit id`, rev.loc, {
        hint: abbreviated
          ? 'an abbreviated id may match a different commit tomorrow; write all 40 hex digits (git rev-parse <id> prints them)'
          : 'rev must be a commit id (40 lowercase hex digits), not a branch or tag name; name the branch with `branch:` or the tag with `tag:`',
      }),
    );
  }
  return rev.value;
}

function checkRef(spec: SourceSpec, recipe: string, expand: (s: Located<string>) => string): GitRef {
  const { branch, tag } = spec.git!;
  if (!branch === !tag) {
    throw new UserError(
      diag('git-ref', `${recipe}: git source needs exactly one of 'branch' or 'tag'`, branch?.loc ?? tag?.loc ?? spec.loc, {
        hint: 'name the branch (or tag) the commit is on; Strata checks that the commit is reachable from it',
      }),
    );
  }
  const ref: GitRef = branch ? { kind: 'branch', name: expand(branch) } : { kind: 'tag', name: expand(tag!) };
  if (BAD_REF.test(ref.name)) throw new UserError(diag('git-ref', `${recipe}: '${ref.name}' is not a valid ${ref.kind} name`, (branch ?? tag)!.loc));
  return ref;
}

/**
 * Checks a `git:` source and derives its names. `expand` expands `${}` in
 * values written in the recipe (so `rev: ${SRCREV}` works).
 */
export function gitSource(spec: SourceSpec, url: string, recipe: string, expand: (s: Located<string>) => string): GitSource {
  const git = spec.git!;
  const rev = checkRev(git.rev && { value: expand(git.rev), loc: git.rev.loc }, recipe, spec.loc);
  const ref = checkRef(spec, recipe, expand);
  if (spec.downloadName) {
    throw new UserError(
      diag('git-name', `${recipe}: a git source's file name cannot be set`, spec.loc, {
        hint: 'the tarball is named from the URL and the commit, so every mirror finds it by the same name',
      }),
    );
  }
  if (spec.sha256 && !isSha256(spec.sha256))
    throw new UserError(diag('source-bad-checksum', `${recipe}: '${spec.sha256}' is not a sha256 (64 lowercase hex digits)`, spec.loc));
  const repo = parseRepo(url, spec.loc, recipe);
  return {
    kind: 'git',
    recipe,
    url,
    rev,
    ref,
    sha256: spec.sha256 as Sha256 | undefined,
    name: `git_${fileSafe(repo.host)}_${fileSafe(repo.segments.join('_'))}_${rev}.tar.gz`,
    clone: ['git', fileSafe(repo.host), ...repo.segments.map(fileSafe)].join('/') + '.git',
    checkout: fileSafe(repo.segments[repo.segments.length - 1]),
    unpack: spec.unpack,
    loc: spec.loc,
  };
}
