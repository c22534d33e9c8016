import { describe, expect, it } from "vitest";
import { clampViewport, panViewport, zoomViewport } from "./timeline-viewport.js";

describe("timeline viewport", () => {
  it("zooms around a point and back out to the whole extent", () => {
    const z = zoomViewport({ from: 0, to: 100 }, 2, 50, 0, 100);
    expect(z).toEqual({ from: 25, to: 75 });
    expect(zoomViewport({ from: 0, to: 100 }, 4, 0, 0, 100)).toEqual({ from: 0, to: 25 });
    expect(zoomViewport(z, 0.1, 50, 0, 100)).toEqual({ from: 0, to: 100 });
  });

  it("pans without leaving the extent", () => {
    expect(panViewport({ from: 25, to: 75 }, 10, 0, 100)).toEqual({ from: 35, to: 85 });
    expect(panViewport({ from: 25, to: 75 }, 1000, 0, 100)).toEqual({ from: 50, to: 100 });
    expect(panViewport({ from: 25, to: 75 }, -1000, 0, 100)).toEqual({ from: 0, to: 50 });
  });

  it("never zooms in past a sliver of the extent", () => {
    const v = clampViewport({ from: 10, to: 10 }, 0, 100);
    expect(v.to - v.from).toBeGreaterThan(0);
  });
});
