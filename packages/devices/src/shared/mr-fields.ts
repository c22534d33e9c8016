/**
 * The fields of the verbs both RDMA devices offer (`rdma-mr` pins its regions, `odp-mirror`
 * mirrors them): `ibv_reg_mr` / `ibv_dereg_mr` arguments, and the HCA's DMA into and out of a
 * region, as a scenario writes them.
 * @module
 */
import { actionFields } from "@pinlab/core";
import { z } from "zod";
import { IB_ACCESS } from "./ib-access.js";

/** `reg_mr` fields: the registering process, the range, the access rights (`IBV_ACCESS_*`). */
export const regMrFields = z
  .object({ proc: actionFields.proc, addr: actionFields.addr, length: actionFields.size, access: z.array(z.enum(IB_ACCESS)).optional() })
  .strict();

/** `dereg_mr` fields. */
export const deregMrFields = z.object({ region: actionFields.name }).strict();

/** `dma_write` fields: `data` lands at `offset` of the region. */
export const dmaWriteFields = z.object({ region: actionFields.name, offset: actionFields.size, data: z.string() }).strict();

/** `dma_read` fields: `length` bytes at `offset` of the region. */
export const dmaReadFields = z.object({ region: actionFields.name, offset: actionFields.size, length: actionFields.size }).strict();
