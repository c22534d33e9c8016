/**
 * A small local runner for this repository's GitHub Actions workflows, for the engine test: it
 * runs the jobs in `needs` order, each matrix instance in a fresh workspace (as on separate
 * runners), the `run:` steps with bash as Actions does (`bash --noprofile --norc -eo pipefail`),
 * `${{ }}` expressions substituted, step outputs through `$GITHUB_OUTPUT`, and artifacts handed
 * from job to job as upload-artifact@v4 and download-artifact@v4 lay them out.
 *
 * It knows only what the workflows here use and refuses anything else (an unknown action, step
 * key or expression), so a workflow that grows past it fails the test with a message saying what
 * to teach it, rather than being half-run.
 * @module
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parse } from "yaml";

/** A value an expression can have. */
type Value = string | number | boolean | null | readonly unknown[] | { readonly [k: string]: unknown };

/** One step of a job, as the workflow file has it. */
interface StepDef {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly run?: string;
  readonly env?: Readonly<Record<string, string | number | boolean>>;
}

/** One job, as the workflow file has it. */
interface JobDef {
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly env?: Readonly<Record<string, string | number | boolean>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>>; readonly "fail-fast"?: boolean };
  readonly steps: readonly StepDef[];
}

/** A workflow file, parsed. */
export interface WorkflowDef {
  /** Its `name:`. */
  readonly name?: string;
  /** Its triggers. */
  readonly on: { readonly workflow_dispatch?: { readonly inputs?: Readonly<Record<string, { readonly type?: string; readonly default?: unknown; readonly options?: readonly string[] }>> } };
  /** Workflow-level environment. */
  readonly env?: Readonly<Record<string, string | number | boolean>>;
  /** Jobs by id. */
  readonly jobs: Readonly<Record<string, JobDef>>;
}

/** A step that ran (or was skipped). */
export interface StepRun {
  /** `run` with the script as run (expressions substituted), or `uses` with the action. */
  readonly kind: "run" | "uses";
  /** The script or the action. */
  readonly text: string;
  /** false when its `if:` was false or the caller skipped it. */
  readonly ran: boolean;
}

/** A job instance that ran: one per matrix combination. */
export interface JobRun {
  /** Job id. */
  readonly job: string;
  /** Its matrix values ({} without a matrix). */
  readonly matrix: Readonly<Record<string, Value>>;
  /** Its workspace. */
  readonly workspace: string;
  /** Its steps, in order. */
  readonly steps: readonly StepRun[];
  /** Its outputs. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** What a workflow run did. */
export interface WorkflowRun {
  /** The job instances, in the order they ran. */
  readonly jobs: readonly JobRun[];
  /** The artifact store: one directory per uploaded artifact, by name. */
  readonly artifacts: string;
}

/** Options of {@link runWorkflow}. */
export interface RunWorkflowOptions {
  /** `workflow_dispatch` inputs; the workflow's defaults fill the rest, and an input it does not declare is an error. */
  readonly inputs: Readonly<Record<string, string | number | boolean>>;
  /** Makes a fresh workspace (the checkout) for a job instance, and returns its path. */
  readonly checkout: () => string;
  /** `run:` scripts not to run (e.g. `npm ci`, when the caller's tree is installed and built already). */
  readonly skipRun?: (script: string) => boolean;
  /** Extra environment for every step. */
  readonly env?: Readonly<Record<string, string>>;
}

const STEP_KEYS = new Set(["name", "id", "if", "uses", "with", "run", "env"]);
const JOB_KEYS = new Set(["runs-on", "needs", "if", "env", "outputs", "strategy", "steps", "timeout-minutes", "permissions"]);

/** Read and parse a workflow file. */
export function loadWorkflow(file: string): WorkflowDef {
  return parse(readFileSync(file, "utf8")) as WorkflowDef;
}

/** Everything an expression can refer to. */
interface Scope {
  readonly inputs: Readonly<Record<string, Value>>;
  readonly matrix: Readonly<Record<string, Value>>;
  readonly needs: Readonly<Record<string, { readonly outputs: Readonly<Record<string, string>>; readonly result: string }>>;
  readonly steps: Readonly<Record<string, { readonly outputs: Readonly<Record<string, string>> }>>;
  readonly github: Readonly<Record<string, Value>>;
  readonly runner: Readonly<Record<string, Value>>;
  readonly env: Readonly<Record<string, Value>>;
}

/** Evaluate an Actions expression: property paths, `fromJSON()`, `!`, `&&`, `||` and the status functions. */
export function evaluate(expr: string, scope: Scope): Value {
  const tokens = expr.match(/\s*(&&|\|\||!|\(|\)|,|'[^']*'|[A-Za-z_][\w.-]*|\d+)\s*/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join("").replace(/\s/g, "") !== expr.replace(/\s/g, "")) throw new Error(`the workflow runner cannot read the expression "${expr}"`);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const status = (name: string): boolean => {
    const failed = Object.values(scope.needs).some((n) => n.result !== "success");
    const known: Record<string, boolean> = { always: true, cancelled: false, success: !failed, failure: failed };
    if (!(name in known)) throw new Error(`the workflow runner does not know the function ${name}() in "${expr}"`);
    return known[name];
  };
  const primary = (): Value => {
    const t = next();
    if (t === undefined) throw new Error(`the expression "${expr}" ends too early`);
    if (t === "(") {
      const v = or();
      if (next() !== ")") throw new Error(`unbalanced parentheses in "${expr}"`);
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1);
    if (/^\d+$/.test(t)) return Number(t);
    if (t === "true" || t === "false") return t === "true";
    if (peek() === "(") {
      next();
      const args: Value[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") next();
      }
      next();
      if (t === "fromJSON") return JSON.parse(String(args[0])) as Value;
      if (args.length === 0) return status(t);
      throw new Error(`the workflow runner does not know the function ${t}() in "${expr}"`);
    }
    const [root, ...path] = t.split(".");
    if (!(root in scope)) throw new Error(`the workflow runner does not know the context "${root}" in "${expr}"`);
    let v: unknown = scope[root as keyof Scope];
    for (const p of path) {
      if (v === null || typeof v !== "object" || !(p in v)) throw new Error(`"${t}" is not defined here (in "${expr}")`);
      v = (v as Record<string, unknown>)[p];
    }
    return v as Value;
  };
  const unary = (): Value => (peek() === "!" ? (next(), !truthy(unary())) : primary());
  const and = (): Value => {
    let v = unary();
    while (peek() === "&&") {
      next();
      const r = unary();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === "||") {
      next();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`the workflow runner cannot read the expression "${expr}"`);
  return v;
}

const truthy = (v: Value): boolean => v !== false && v !== null && v !== 0 && v !== "";

/** Substitute every `${{ expr }}` in `text`. */
export function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => {
    const v = evaluate(e.trim(), scope);
    return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  });
}

/** An `if:` (with or without `${{ }}`), by default `success()`. */
function condition(text: string | undefined, scope: Scope): boolean {
  if (text === undefined) return truthy(evaluate("success()", scope));
  const m = /^\s*\$\{\{(.*)\}\}\s*$/.exec(text);
  return truthy(evaluate(m === null ? text : m[1], scope));
}

/** Parse a `$GITHUB_OUTPUT` file: `key=value` lines and `key<<DELIM` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) {
      out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
    }
  }
  return out;
}

/** Jobs in an order where each comes after the jobs it needs. */
function jobOrder(jobs: Readonly<Record<string, JobDef>>): string[] {
  const order: string[] = [];
  const visit = (id: string, path: readonly string[]) => {
    if (order.includes(id)) return;
    if (path.includes(id)) throw new Error(`jobs need each other in a cycle: ${[...path, id].join(" -> ")}`);
    const job = jobs[id];
    if (job === undefined) throw new Error(`job ${path.at(-1)} needs ${id}, which the workflow does not have`);
    for (const n of needsOf(job)) visit(n, [...path, id]);
    order.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return order;
}

const needsOf = (job: JobDef): readonly string[] => (job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : job.needs);

/** Every combination of a job's matrix. */
function matrixCombinations(job: JobDef, scope: Scope): Record<string, Value>[] {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return [{}];
  let combos: Record<string, Value>[] = [{}];
  for (const [key, spec] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") throw new Error(`the workflow runner does not know matrix ${key}`);
    const values = typeof spec === "string" ? evaluate(/^\s*\$\{\{(.*)\}\}\s*$/.exec(spec)?.[1] ?? JSON.stringify(spec), scope) : spec;
    if (!Array.isArray(values) || values.length === 0) throw new Error(`matrix ${key} is not a non-empty list: ${JSON.stringify(values)}`);
    combos = combos.flatMap((c) => (values as Value[]).map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

/** The workflow's inputs: its defaults, then `given` (an input it does not declare is an error). */
function resolveInputs(wf: WorkflowDef, given: RunWorkflowOptions["inputs"]): Record<string, Value> {
  const declared = wf.on.workflow_dispatch?.inputs ?? {};
  for (const k of Object.keys(given)) if (!(k in declared)) throw new Error(`the workflow has no input "${k}"; its inputs: ${Object.keys(declared).join(", ")}`);
  const inputs: Record<string, Value> = {};
  for (const [k, d] of Object.entries(declared)) {
    const v = k in given ? given[k] : (d.default as Value) ?? "";
    if (d.type === "choice" && !d.options?.includes(String(v))) throw new Error(`input ${k}: "${String(v)}" is not one of ${d.options?.join(", ")}`);
    inputs[k] = d.type === "number" ? Number(v) : d.type === "boolean" ? v === true || v === "true" : v;
  }
  return inputs;
}

const asEnv = (vars: Readonly<Record<string, string | number | boolean>> | undefined, scope: Scope): Record<string, string> =>
  Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)]));

/** Turn an artifact glob (`part-*`) into a test. */
const nameMatcher = (pattern: string): ((name: string) => boolean) => {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return (name) => re.test(name);
};

/** Run a `workflow_dispatch` workflow locally; throws with the step's output when a step fails. */
export function runWorkflow(wf: WorkflowDef, opts: RunWorkflowOptions): WorkflowRun {
  const inputs = resolveInputs(wf, opts.inputs);
  const artifacts = mkdtempSync(join(tmpdir(), "pinlab-artifacts-"));
  const stored = new Set<string>();
  const results: Record<string, { outputs: Record<string, string>; result: string }> = {};
  const runs: JobRun[] = [];
  for (const jobId of jobOrder(wf.jobs)) {
    const job = wf.jobs[jobId];
    for (const k of Object.keys(job)) if (!JOB_KEYS.has(k)) throw new Error(`job ${jobId}: the workflow runner does not know the job key "${k}"`);
    const needs = Object.fromEntries(needsOf(job).map((n) => [n, results[n]]));
    const base: Scope = { inputs, matrix: {}, needs, steps: {}, github: {}, runner: {}, env: {} };
    if (!condition(job.if, base)) {
      results[jobId] = { outputs: {}, result: "skipped" };
      continue;
    }
    let outputs: Record<string, string> = {};
    for (const matrix of matrixCombinations(job, base)) {
      const workspace = opts.checkout();
      const temp = mkdtempSync(join(tmpdir(), "pinlab-runner-temp-"));
      const steps: Record<string, { outputs: Record<string, string> }> = {};
      const scope0: Scope = { ...base, matrix, steps, github: { workspace, event_name: "workflow_dispatch" }, runner: { temp, os: "Linux" } };
      const jobEnv = { ...asEnv(wf.env, scope0), ...asEnv(job.env, scope0) };
      const done: StepRun[] = [];
      // The runner's temp directory lives as long as its job, as on a hosted runner.
      try {
        job.steps.forEach((step, n) => {
          const where = `job ${jobId} ${JSON.stringify(matrix)}, step ${n + 1} (${step.name ?? step.uses ?? step.run?.split("\n")[0]})`;
          for (const k of Object.keys(step)) if (!STEP_KEYS.has(k)) throw new Error(`${where}: the workflow runner does not know the step key "${k}"`);
          const scope: Scope = { ...scope0, env: jobEnv };
          if (!condition(step.if, scope)) {
            done.push({ kind: step.run !== undefined ? "run" : "uses", text: step.run ?? step.uses ?? "", ran: false });
            return;
          }
          if (step.run !== undefined) {
            const script = interpolate(step.run, scope);
            if (opts.skipRun?.(script) === true) {
              done.push({ kind: "run", text: script, ran: false });
              return;
            }
            const outFile = join(temp, `output-${n}`);
            writeFileSync(outFile, "");
            const file = join(temp, `step-${n}.sh`);
            writeFileSync(file, script);
            const env = {
              ...process.env, ...opts.env, CI: "true", GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp,
              GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: join(temp, "summary.md"), ...jobEnv, ...asEnv(step.env, scope),
            };
            const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd: workspace, env, encoding: "utf8" });
            if (r.status !== 0) throw new Error(`${where} failed (exit ${r.status ?? r.signal}):\n$ ${script}\n${r.stdout}${r.stderr}`);
            if (step.id !== undefined) steps[step.id] = { outputs: parseOutputs(readFileSync(outFile, "utf8")) };
            done.push({ kind: "run", text: script, ran: true });
            return;
          }
          const uses = step.uses ?? "";
          const w = asEnv(step.with, scope);
          const action = uses.replace(/@.*$/, "");
          if (action === "actions/checkout" || action === "actions/setup-node") {
            // The workspace is the checkout, and this Node runs the steps.
          } else if (action === "actions/upload-artifact") {
            const from = resolve(workspace, w.path ?? "");
            if (w.name === undefined || w.path === undefined) throw new Error(`${where}: upload-artifact needs name and path here`);
            if (stored.has(w.name)) throw new Error(`${where}: an artifact named ${w.name} exists already (upload-artifact@v4 refuses it)`);
            if (!existsSync(from)) {
              if ((w["if-no-files-found"] ?? "warn") === "error") throw new Error(`${where}: no files at ${w.path} to upload`);
            } else {
              // A directory's contents become the artifact's root; a file goes in by its name.
              const to = join(artifacts, w.name);
              cpSync(from, statSync(from).isDirectory() ? to : join(to, basename(from)), { recursive: true });
              stored.add(w.name);
            }
          } else if (action === "actions/download-artifact") {
            const into = resolve(workspace, w.path ?? ".");
            const names = w.name !== undefined ? [w.name] : [...stored].filter(nameMatcher(w.pattern ?? "*")).sort();
            if (w.name !== undefined && !stored.has(w.name)) throw new Error(`${where}: no artifact named ${w.name}`);
            mkdirSync(into, { recursive: true });
            // One artifact by name goes straight into path; several each into path/NAME unless merge-multiple.
            for (const name of names) cpSync(join(artifacts, name), w.name !== undefined || w["merge-multiple"] === "true" ? into : join(into, name), { recursive: true });
          } else {
            throw new Error(`${where}: the workflow runner does not know the action ${uses}`);
          }
          done.push({ kind: "uses", text: uses, ran: true });
        });
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
      const jobScope: Scope = { ...scope0, env: jobEnv };
      outputs = { ...outputs, ...Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, interpolate(v, jobScope)])) };
      runs.push({ job: jobId, matrix, workspace, steps: done, outputs });
    }
    results[jobId] = { outputs, result: "success" };
  }
  return { jobs: runs, artifacts };
}

/** Every file below `dir`, relative, sorted: what an artifact or a workspace holds. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile()).sort();
}
