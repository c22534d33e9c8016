/**
 * What the host did for one step (issue 20), and the helpers every host step uses: data strings as
 * the agent's hex, and a kernel refusal as an errno outcome.
 * @module
 */
import { bytesToText, textToBytes, type StepOutcome } from "@pinlab/core";
import { AgentCallError } from "./agent-client.js";

/** What the host did for a step. */
export type HostOutcome =
  | {
    /** The step ran on the host. */
    readonly ran: true;
    /** The errno name the kernel answered, or null. */
    readonly errno: string | null;
    /** The result, comparable with the model's, when `resultWhy` is absent. */
    readonly result?: unknown;
    /** Why the host's result cannot be compared with the model's (the host has no such number). */
    readonly resultWhy?: string;
    /** What the host did differently from the model's call, when it ran an approximation. */
    readonly approx?: string;
  }
  | {
    /** The step did not run on the host. */
    readonly ran: false;
    /** Why. */
    readonly reason: string;
  };

/** A step planned: `run` does it on the host once the model has (its outcome given), or `skip` says why it cannot. */
export type HostPlan = { readonly run: (model: StepOutcome) => Promise<HostOutcome> } | { readonly skip: string };

/** The bytes of a data string (the scenario's UTF-8 text, NULs included), as hex for the agent. */
export function dataHex(data: string): string {
  return Buffer.from(textToBytes(data)).toString("hex");
}

/** The agent's hex bytes as the scenario's string (what a `read` result or a `data` expectation compares). */
export function hexText(hex: string): string {
  return bytesToText(Uint8Array.from(Buffer.from(hex, "hex")));
}

/** Run `call` and turn a refusal by the kernel into an errno outcome. */
export async function attempt(call: () => Promise<Omit<Extract<HostOutcome, { ran: true }>, "ran" | "errno">>): Promise<HostOutcome> {
  try {
    return { ran: true, errno: null, ...(await call()) };
  } catch (e) {
    if (e instanceof AgentCallError) return { ran: true, errno: e.code };
    throw e;
  }
}

