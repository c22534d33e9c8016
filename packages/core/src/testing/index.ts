/**
 * Test helpers for code built on pinlab core (`@pinlab/core/testing`): a policy double with exact
 * pin counting and v6.12 FOLL_PIN rules, and a one-line kernel factory. Plugin packages use it
 * in their unit tests so they need no other plugin package.
 * @module
 */
export { testPolicy } from "./test-policy.js";
export { testContainer, testKernel, expectConsistent } from "./kernel.js";
