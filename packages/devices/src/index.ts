/**
 * pinlab device plugins. Each device is one descriptor made with `defineDevice`; {@link register}
 * contributes them all to a container.
 * @packageDocumentation
 */
import type { DependencyContainer } from "tsyringe";

/** The device descriptors this package provides, by kind. */
export const devices = {} as const;

/** Contribute every device of this package to `container` under the DEVICE_PLUGIN extension point. */
export function register(container: DependencyContainer): void {
  void container;
}
