/**
 * What can be wrong with plugins, one class per kind of mistake, all {@link PluginError}s so a
 * front end (the CLI: exit status 2) can treat every one as bad input and print its message,
 * which names the plugin, the option or action and the field.
 * @module
 */

/** Any plugin problem: the base of the classes below, each named after its class. */
export class PluginError extends Error {
  /** Make the error. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A descriptor is malformed, or two plugins claim one id (registration time). */
export class PluginRegistrationError extends PluginError {}

/** A config or a scenario names a policy or device kind no plugin registered. */
export class UnknownPluginError extends PluginError {}

/** The options given to a plugin do not fit its `meta.options` schema; the message names each field. */
export class PluginOptionsError extends PluginError {}

/** A device name is already attached to the kernel instance. */
export class DuplicateDeviceError extends PluginError {}

/** A plugin's `create()` returned something that is not what its kind promises: a bug in the plugin. */
export class PluginContractError extends PluginError {}
