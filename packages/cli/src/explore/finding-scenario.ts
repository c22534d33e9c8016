/**
 * (issue 21) A finding of `pinlab explore` as a replayable scenario: the scenario's own text
 * (comments kept: the `yaml` package's Document API) with each concurrent block's `order:` fixed
 * to the finding's trace, `policy:` set to the finding's policy and `machine.kernel` to its era,
 * under a header saying what it shows. `pinlab run` on it runs that
 * order and reproduces the finding.
 * @module
 */
import { basename, extname } from "node:path";
import { isMap, parseDocument } from "yaml";
import type { LoadedScenario } from "@pinlab/core";
import type { ExploreFinding } from "./explore-orders.js";

/** The file name of a finding: the scenario's name, the class, the outcome, the policy and the kernel era. */
export function findingFileName(scenarioFile: string, f: ExploreFinding): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/_+$/, "");
  return `${safe(basename(scenarioFile, extname(scenarioFile)))}-${safe(f.class)}-${safe(f.outcome)}-${safe(f.policy)}-${safe(f.kernel)}.yaml`;
}

/** The replayable scenario text of `f`, from the scenario's source `text`. */
export function findingScenarioText(text: string, loaded: LoadedScenario, f: ExploreFinding, opts: { readonly out: string }): string {
  const doc = parseDocument(text);
  (loaded.blocks ?? []).forEach((b, i) => {
    const at = b.threads[0].paths[0].slice(0, 2); // ["steps", N]: where the block is written
    const order = doc.createNode([...f.trace[i]], { flow: true });
    doc.setIn([...at, "order"], order);
  });
  if (isMap(doc.contents)) doc.set("policy", f.policy);
  if (f.kernel !== "") doc.setIn(["machine", "kernel"], f.kernel);
  const header = [
    ` pinlab explore finding: ${f.class === "expectation" ? `expectation failed: ${f.outcome}` : `${f.class} ${f.outcome}`} under ${f.policy} @${f.kernel}`,
    ` order (${f.preemptions} preemption${f.preemptions === 1 ? "" : "s"}): ${f.trace.map((o) => `[${o.join(", ")}]`).join(" ")}`,
    ` explored from ${loaded.file}; replay: pinlab run ${opts.out}`,
  ].join("\n");
  doc.commentBefore = doc.commentBefore === null || doc.commentBefore === undefined ? header : `${header}\n\n${doc.commentBefore}`;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
