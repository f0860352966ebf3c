// Every build runs under umask 022, whatever the umask of the shell that
// started Strata: the folders and files Strata writes (downloads, work
// folders, sysroots, install trees, deploy files) and those its tasks write
// (they inherit it through the sandbox) get the same modes on every host.
// Under a builder's umask 077 they would otherwise be 0700/0600, which the
// sandbox's unprivileged uid cannot read (a root-owned download) and which
// would reach install trees and task outputs. BitBake does the same
// (OE-core bitbake.conf: BB_DEFAULT_UMASK ??= "022", the umask tasks run
// under). `strata reproduce` builds once under 077 to prove it.

export const BUILD_UMASK = 0o022;

/** Sets the build's umask for this process and the tasks it starts; returns the one it replaced. */
export const useBuildUmask = (): number => process.umask(BUILD_UMASK);
