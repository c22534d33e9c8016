/**
 * The schema of an era id as configs and scenarios write it.
 * @module
 */
import { z } from "zod";
import { findEra, unknownEraMessage } from "./era-lookup.js";

/** An era id (`v5.3`): any other string is an issue listing the known ids. */
export const eraIdSchema = z.string().superRefine((id, ctx) => {
  if (findEra(id) === undefined) ctx.addIssue({ code: "custom", message: unknownEraMessage(id) });
});
