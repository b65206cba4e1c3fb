// @ts-check
// Light and dark, and the colour-blind-safe palette: one place the canvases read their
// colours from. js/theme-boot.js has already put the choice on <html> (data-theme,
// data-palette) before the first paint; the CSS follows those attributes, and a drawing
// module reads `theme` (one object, updated in place) and redraws on `onThemeChange`.

const THEME_KEY = "gradscope-theme";
const PALETTE_KEY = "gradscope-palette";

/** @typedef {"light" | "dark" | "system"} ThemeChoice */

/** The canvases' colours in the light theme. */
export const LIGHT = {
  bg: "#ffffff",
  /** @type {[number, number, number]} */
  bgRgb: [255, 255, 255],
  ink: "#111827",
  ink2: "#374151",
  muted: "#5b6270",
  faint: "#8a919e",
  line: "#e3e6eb",
  grid: "#d1d5db",
  soft: "#eef0f3",
  control: "#c5cad3",
  stroke: "#9aa3b2",
  hover: "#1f2937",
  accent: "#2563eb",
  bad: "#c81e1e",
  accentDeep: "#1d4ed8",
  edgeOff: "#d5d9e0",
  labelBg: "rgba(255,255,255,0.9)",
  nodeFill: "#ffffff",
  inputFill: "#e3efff",
  inputFillSmall: "#cfe0fa",
  constFill: "#f1f2f4",
  constFillSmall: "#e6e8ec",
  currentFill: "#bfd3fb",
  grad: "#9a3412",
  groupFill: "#f5f8ff",
  groupCurrent: "#dbe6fd",
  groupHead: "#eef2fb",
  groupLine: "#b8c4da",
  groupStroke: "#7d8fb3",
  groupInk: "#1f2a44",
  groupText: "#4b5a78",
  testLine: "#9ca3af",
  unlabelled: "rgba(17, 24, 39, 0.45)",
};

/** The same names in the dark theme: text at least AA on `bg`. @type {typeof LIGHT} */
export const DARK = {
  bg: "#111418",
  bgRgb: [17, 20, 24],
  ink: "#e6e8eb",
  ink2: "#c9ced6",
  muted: "#a3aab6",
  faint: "#8a919e",
  line: "#2c323b",
  grid: "#3a414c",
  soft: "#222830",
  control: "#4a525e",
  stroke: "#6b7482",
  hover: "#e6e8eb",
  accent: "#6ea8fe",
  bad: "#f87171",
  accentDeep: "#93c0ff",
  edgeOff: "#3f4651",
  labelBg: "rgba(17,20,24,0.9)",
  nodeFill: "#1a1f26",
  inputFill: "#1c2c47",
  inputFillSmall: "#27406a",
  constFill: "#22272e",
  constFillSmall: "#2c323b",
  currentFill: "#2b4a80",
  grad: "#fdba74",
  groupFill: "#161d2a",
  groupCurrent: "#1f2d48",
  groupHead: "#1c2433",
  groupLine: "#3b4a66",
  groupStroke: "#5c6f96",
  groupInk: "#dbe4f5",
  groupText: "#a9b6d0",
  testLine: "#8a919e",
  unlabelled: "rgba(230, 232, 235, 0.5)",
};

/** The current colours (LIGHT's or DARK's), updated in place. */
export const theme = { ...LIGHT };

const root = document.documentElement;
const media = matchMedia("(prefers-color-scheme: dark)");
/** @type {Set<() => void>} */
const listeners = new Set();

/** @param {string} key */
function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
/** @param {string} key @param {string} value */
function write(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered, still applied.
  }
}

/** What the reader chose: Light, Dark, or the system's. @returns {ThemeChoice} */
export function themeChoice() {
  const c = read(THEME_KEY);
  return c === "light" || c === "dark" ? c : "system";
}

/** Whether the page is drawn dark now. */
export const isDark = () => root.dataset.theme === "dark";
/** Whether the colour-blind-safe palette is on. */
export const colourBlindSafe = () => root.dataset.palette === "safe";

function apply() {
  const choice = themeChoice();
  const dark = choice === "dark" || (choice === "system" && media.matches);
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.palette = read(PALETTE_KEY) === "safe" ? "safe" : "usual";
  Object.assign(theme, dark ? DARK : LIGHT);
}

function changed() {
  apply();
  for (const f of listeners) f();
}

/** @param {ThemeChoice} choice */
export function setThemeChoice(choice) {
  write(THEME_KEY, choice);
  changed();
}

/** @param {boolean} on */
export function setColourBlindSafe(on) {
  write(PALETTE_KEY, on ? "safe" : "usual");
  changed();
}

/** Calls `f` after every change of theme or palette (to redraw). @param {() => void} f */
export function onThemeChange(f) {
  listeners.add(f);
}

/** Runs `f` with the light theme's colours (the canvases' and the gradient ramp's): a
 * figure for slides and notes is drawn on white whatever the page's theme. Only what `f`
 * does before it first awaits sees the change, and the page does not repaint in between.
 * @template T @param {() => T} f @returns {T} */
export function inLightTheme(f) {
  if (root.dataset.theme !== "dark") return f();
  root.dataset.theme = "light";
  Object.assign(theme, LIGHT);
  try {
    return f();
  } finally {
    root.dataset.theme = "dark";
    Object.assign(theme, DARK);
  }
}

/** The theme menu and the palette checkbox, at the end of the page's header. */
export function mountThemeControls(header = document.querySelector("header")) {
  // An embed shows its view alone: it follows the reader's choice (or the system) silently.
  if (!header || header.querySelector(".theme-controls") || document.body.classList.contains("embed")) return;
  const box = document.createElement("div");
  box.className = "theme-controls";
  const label = document.createElement("label");
  label.append("Theme ");
  const select = document.createElement("select");
  select.id = "theme-choice";
  for (const [value, text] of [["system", "System"], ["light", "Light"], ["dark", "Dark"]]) {
    select.append(new Option(text, value));
  }
  select.value = themeChoice();
  select.addEventListener("change", () => setThemeChoice(/** @type {ThemeChoice} */ (select.value)));
  label.append(select);
  const safe = document.createElement("label");
  const box2 = document.createElement("input");
  box2.type = "checkbox";
  box2.id = "palette-safe";
  box2.checked = colourBlindSafe();
  box2.addEventListener("change", () => setColourBlindSafe(box2.checked));
  safe.append(box2, " Colour-blind-safe palette");
  box.append(label, safe);
  header.append(box);
}

apply();
media.addEventListener("change", () => {
  if (themeChoice() === "system") changed();
});
// Another tab changed the choice: follow it.
window.addEventListener("storage", (ev) => {
  if (ev.key === THEME_KEY || ev.key === PALETTE_KEY) changed();
});
