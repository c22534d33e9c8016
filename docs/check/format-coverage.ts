/**
 * Does a guide show the whole scenario format? Its scenario blocks (those that are run, not the
 * `invalid` ones) must together use every top-level field and machine field, every op, every
 * expectation key (in `expect` or `expect_by_policy`), every `page:` field, and every action of
 * every registered device; its text must name every errno an `errno:` expectation accepts. The
 * lists come from core's schemas, its errno table and the device registry, so a new op, key or
 * errno that the guide does not show fails the docs test.
 * @module
 */
import { parse } from "yaml";
import { CONCURRENT_OP, ERRNO, expectationsSchema, machineSchema, OPS, pageExpectation, scenarioSchema, type DeviceDescriptor } from "@pinlab/core";
import type { CodeBlock, MarkdownDoc } from "./markdown.js";
import { isScenarioBlock } from "./scenarios.js";

type Json = Record<string, unknown>;

const isMap = (x: unknown): x is Json => x !== null && typeof x === "object" && !Array.isArray(x);
const asList = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined ? [] : [x]);

/** What the scenario blocks use. */
export interface FormatUse {
  readonly topLevel: Set<string>;
  readonly machine: Set<string>;
  readonly ops: Set<string>;
  readonly expectations: Set<string>;
  readonly pageFields: Set<string>;
  /** `kind:action`. */
  readonly deviceActions: Set<string>;
}

/** Collect what the run scenario blocks of `blocks` use. */
export function formatUse(blocks: readonly CodeBlock[]): FormatUse {
  const use: FormatUse = { topLevel: new Set(), machine: new Set(), ops: new Set(), expectations: new Set(), pageFields: new Set(), deviceActions: new Set() };
  for (const b of blocks.filter((x) => isScenarioBlock(x) && x.attrs.invalid !== true)) {
    let doc: Json;
    try {
      doc = parse(b.text) as Json;
    } catch {
      continue; // not YAML: the scenario check reports it
    }
    for (const k of Object.keys(doc)) use.topLevel.add(k);
    if (isMap(doc.machine)) for (const k of Object.keys(doc.machine)) use.machine.add(k);
    const kinds = new Map(asList(doc.devices).filter(isMap).map((d) => [String(d.name), String(d.kind)]));
    // (issue 21) A concurrent block's threads hold steps too.
    const top = asList(doc.steps).filter(isMap);
    const nested = top.filter((s) => s.op === CONCURRENT_OP && isMap(s.threads)).flatMap((s) => Object.values(s.threads as Json).flatMap(asList).filter(isMap));
    for (const step of [...top, ...nested]) {
      use.ops.add(String(step.op));
      if (step.op === "device") use.deviceActions.add(`${kinds.get(String(step.device))}:${String(step.action)}`);
      const blocksOfStep = [step.expect, ...(isMap(step.expect_by_policy) ? Object.values(step.expect_by_policy) : [])].filter(isMap);
      for (const e of blocksOfStep) {
        for (const k of Object.keys(e)) use.expectations.add(k);
        for (const p of asList(e.page).filter(isMap)) for (const k of Object.keys(p)) use.pageFields.add(k);
      }
    }
  }
  return use;
}

/** What a guide that shows the whole format must use, and what `doc` leaves out (empty = all shown). */
export function checkFormatCoverage(doc: MarkdownDoc, devices: readonly DeviceDescriptor[]): string[] {
  const use = formatUse(doc.blocks);
  const text = doc.lines.join("\n");
  const want: [string, readonly string[], Set<string>][] = [
    ["top-level field", Object.keys(scenarioSchema.shape), use.topLevel],
    ["machine field", Object.keys(machineSchema.shape), use.machine],
    ["op", [...OPS, CONCURRENT_OP], use.ops],
    ["expectation key", Object.keys(expectationsSchema.shape), use.expectations],
    ["page field", Object.keys(pageExpectation.shape), use.pageFields],
    ["device action", devices.flatMap((d) => Object.keys(d.meta.actions).map((a) => `${d.meta.id}:${a}`)), use.deviceActions],
  ];
  const missingErrnos = Object.keys(ERRNO).filter((e) => !text.includes(`\`${e}\``)).map((e) => `the guide does not name the errno \`${e}\``);
  return [...want.flatMap(([what, all, used]) => all.filter((x) => !used.has(x)).map((x) => `no scenario shows the ${what} \`${x}\``)), ...missingErrnos];
}
