/**
 * The era of a kernel instance, as a DI token.
 * @module
 */
import { createToken } from "../di/tokens.js";
import type { KernelEra } from "./era-rules.js";

/** The token of the kernel era an instance runs (its rules are `KernelEra.rules`). */
export const KERNEL_ERA = createToken<KernelEra>("KERNEL_ERA");
