/**
 * A finding written as a scenario file: the (shrunk) scenario with its cleanup tail, one step a
 * line, under a header saying what was found, under which policy, and the commands that replay
 * it. `pinlab fuzz --replay FILE` reruns the fuzzer's checks on it; `pinlab run FILE` runs it as
 * any scenario.
 * @module
 */
import { Document, isMap, isSeq } from "yaml";
import type { Finding } from "./classify.js";
import type { RawScenario } from "./gen-state.js";

/** The scenario as YAML: declarations in block style, each step on one line. */
export function scenarioYaml(sc: RawScenario): string {
  const doc = new Document(sc);
  const steps = isMap(doc.contents) ? doc.contents.get("steps", true) : undefined;
  if (isSeq(steps)) for (const item of steps.items) if (isMap(item)) item.flow = true;
  for (const key of ["files", "devices"]) {
    const seq = isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

/** The file name of a finding: class, policy and seed. */
export function findingFileName(f: Finding, seed: number): string {
  return `${f.class}-${f.policy.replace(/[^A-Za-z0-9_.-]+/g, "_")}-${seed}.yaml`;
}

/** The file's text: a header (what, where, how to replay), then the scenario. */
export function findingFileText(sc: RawScenario, f: Finding, info: { readonly seed: number; readonly file: string; readonly shrunk: string }): string {
  const policy = f.class === "differential" ? f.policy.replace("/", ",") : f.policy;
  const lines = [
    `pinlab fuzz finding: ${f.class} under ${f.policy}${f.step !== undefined ? ` at step ${f.step}` : ""}`,
    ...f.message.split("\n").map((l) => `  ${l}`),
    `generated from seed ${info.seed}; ${info.shrunk}`,
    "the steps noted \"fuzz cleanup tail\" are the cleanup the fuzzer appends before its leak audit.",
    "replay the fuzzer's checks:",
    `  pinlab fuzz --replay ${info.file}${policy === "*" ? "" : ` --policy ${policy}`}`,
    "run it as a scenario, auditing invariants after every step:",
    `  pinlab run ${info.file} --check${policy === "*" ? "" : ` --policy ${policy}`}`,
  ];
  return `${lines.map((l) => `# ${l}`.trimEnd()).join("\n")}\n${scenarioYaml(sc)}`;
}
