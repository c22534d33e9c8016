/** A temporary directory for one test, removed when the test finishes (passed or not). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** Make a directory under the system's temp dir named `prefix` + random, removed after the current test. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Remove `path` (a directory a helper made, such as a workflow run's artifacts) after the current test. */
export function removeAfterTest(path: string): void {
  onTestFinished(() => rmSync(path, { recursive: true, force: true }));
}
