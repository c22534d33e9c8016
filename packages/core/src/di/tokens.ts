/**
 * Typed DI tokens for tsyringe, the mechanism only. Each service's token is declared next to the
 * interface or class it resolves to (VS Code's `createDecorator` style): `CLOCK` in sim/clock.ts,
 * `KERNEL` in kernel/context.ts, `GUP` in gup/gup.ts, and so on, so no module imports a class
 * only to name its token. Constructors name their dependencies with `@inject(TOKEN)` explicitly
 * and never rely on emitted type metadata.
 *
 * Two tokens are extension points, filled by plugin packages and read with {@link resolveAll}:
 * `PIN_POLICY` (policy/pin-policy.ts) and `DEVICE_PLUGIN` (device/device-plugin.ts).
 * @module
 */
import type { DependencyContainer, InjectionToken } from "tsyringe";

/** A typed injection token: a unique symbol that remembers the type it resolves to. */
export type Token<T> = symbol & { readonly __pinlabToken?: T };

/**
 * Make the token of a service whose type is `T` (VS Code's `createDecorator`): the global symbol
 * `pinlab.NAME`, so two copies of core loaded side by side still agree on it.
 */
export function createToken<T>(name: string): Token<T> {
  return Symbol.for(`pinlab.${name}`) as Token<T>;
}

/** Resolve a typed token from a container. */
export function resolve<T>(container: DependencyContainer, tok: Token<T>): T {
  return container.resolve<T>(tok as InjectionToken<T>);
}

/** Resolve every registration of a typed token (an extension point); empty when none. */
export function resolveAll<T>(container: DependencyContainer, tok: Token<T>): T[] {
  return container.isRegistered(tok as InjectionToken<T>, true) ? container.resolveAll<T>(tok as InjectionToken<T>) : [];
}
