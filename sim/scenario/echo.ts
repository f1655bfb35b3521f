import { MAX_ECHO_CHARS } from './limits.ts';

/**
 * A user-supplied text as it may appear inside a one-line error message: quoted, control characters and line
 * breaks escaped, and cut to `max` characters with the full length said (a 1 MB key must not be printed whole).
 */
export function echo(text: string, max = MAX_ECHO_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const quoted = JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max ? `${quoted.slice(0, -1)}..." (${text.length} characters)` : quoted;
}

/** Any message squeezed onto one line of at most `max` characters (the guard behind every one-line error). */
export function oneLine(message: string, max = 600): string {
  const flat = message.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
