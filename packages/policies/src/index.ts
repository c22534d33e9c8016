/**
 * pinlab pin-accounting policies. Each policy is one descriptor made with `definePinPolicy`;
 * {@link register} contributes them all to a container.
 * @packageDocumentation
 */
import type { DependencyContainer } from "tsyringe";

/** The policy descriptors this package provides, by id. */
export const policies = {} as const;

/** Contribute every policy of this package to `container` under the PIN_POLICY extension point. */
export function register(container: DependencyContainer): void {
  void container;
}
