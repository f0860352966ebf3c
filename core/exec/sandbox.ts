// Every task but fetch runs in its own, empty network namespace: only a
// loopback interface that is down, so any connection fails at once with
// "Network is unreachable". As root `unshare --net` is enough; an ordinary
// user needs a user namespace too (`--map-root-user`).

export function offlineCommand(argv: readonly string[], uid = process.getuid?.() ?? 0): { file: string; args: string[] } {
  const userns = uid === 0 ? [] : ['--map-root-user'];
  return { file: 'unshare', args: ['--net', ...userns, '--', ...argv] };
}

/** Messages tools print when they reach for a network they do not have. */
const NO_NETWORK_SIGNS = [/ENETUNREACH/, /Couldn't connect to server/i, /Network is unreachable/i, /Temporary failure in name resolution/i, /Could not resolve host/i, /Name or service not known/i, /Cannot assign requested address/i];

export function looksLikeNetworkFailure(log: string): boolean {
  return NO_NETWORK_SIGNS.some((re) => re.test(log));
}
