/** Entry point: build the registry and start the playground in `#app`. */
import "reflect-metadata";
import "./styles.css";
import { App } from "./app.js";
import { createRegistry } from "./model/registry.js";

const root = document.querySelector<HTMLElement>("#app");
if (root !== null) {
  const app = new App(root, createRegistry());
  (window as unknown as { pinlab?: App }).pinlab = app;
  void app.start();
}
