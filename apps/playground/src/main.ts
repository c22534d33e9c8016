import "reflect-metadata";
import { formatSize } from "@pinlab/core";

const el = document.querySelector("#app");
if (el !== null) el.textContent = `pinlab playground — machine ${formatSize(64 * 1024 * 1024)}`;
