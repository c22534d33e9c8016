import { test } from "node:test";

test("playground e2e suite is defined", () => {});
