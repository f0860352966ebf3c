// Credentials in a URL never reach an output, a log, an index or a JSON
// file. The one redaction, for fetch and the remote cache alike.
//
// Which `@` ends the credentials: the last one before the authority ends
// (at the first `/`, `?` or `#`), as the WHATWG URL parser reads it, so a
// password with a raw `@` in it (`https://user:p@ss@host/x`) is hidden
// whole rather than cut at its own `@`.

const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;

/** A URL with its user and password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(new RegExp(`^${CREDENTIALS.source}`, 'i'), '$1***@');
}

/** Any text (a tool's message, a quoted recipe line) with every URL's credentials replaced by `***`. */
export function redactText(text: string): string {
  return text.replace(CREDENTIALS, '$1***@');
}
