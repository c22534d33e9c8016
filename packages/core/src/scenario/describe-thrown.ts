/**
 * An unexpected exception (a bug in a plugin or in pinlab) as one line for a report: its message
 * and the place it was thrown, never the whole stack.
 * @module
 */

/** The first stack frame's location (`file:line:col`), as a path or URL, if the stack has one. */
export function thrownAt(e: unknown): string | undefined {
  const stack = e instanceof Error ? e.stack : undefined;
  if (stack === undefined) return undefined;
  for (const line of stack.split("\n")) {
    const m = /^\s+at (?:.*? \()?(.*?:\d+:\d+)\)?$/.exec(line);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** `message (thrown at file:line:col)`, for an unexpected exception. */
export function describeThrown(e: unknown): string {
  const message = e instanceof Error ? `${e.name !== "Error" ? `${e.name}: ` : ""}${e.message}` : String(e);
  const at = thrownAt(e);
  return at === undefined ? message : `${message} (thrown at ${at})`;
}
