#!/usr/bin/env node
import { CLI_VERSION } from "../index.js";

console.log(`pinlab ${CLI_VERSION}`);
