// Launching the system Chromium for page tests and benchmarks: one set of flags for all.

import { chromium } from "playwright-core";

/** Flags for headless Chromium on these machines: no sandbox as root, and nothing that
 * tries to reach the network (connections outside are refused here). */
const BASE_ARGS = [
  "--no-sandbox", "--headless=new", "--disable-dev-shm-usage", "--disable-quic",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
];

/** A software WebGPU adapter (SwiftShader): always available, proves correctness, not fast. */
export const SWIFTSHADER = ["--enable-unsafe-webgpu"];
/** lavapipe (Debian's mesa-vulkan-drivers) through a compatibility-mode adapter: faster. */
export const LAVAPIPE = ["--enable-unsafe-webgpu", "--use-angle=vulkan", "--use-webgpu-adapter=opengles", "--force-webgpu-compat"];

export const URL_BASE = process.env.GRADSCOPE_URL || "http://127.0.0.1:8080";

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [...BASE_ARGS, ...extraArgs],
  });
}
