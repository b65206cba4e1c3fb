// @ts-check
// A program's run as the graph view groups it: loop iterations and calls as boxes that can
// be collapsed, and what changed between two runs (a branch that flipped, a loop that ran
// another number of times), in nodes and in words. Pure functions of the engine's reports.

import { SourceLines, byteToIndex } from "./source.js";

/** @typedef {import("../pkg/gradscope.js").RunReport} RunReport */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").GroupedLayout} GroupedLayout */
/** @typedef {import("./graph-view.js").Structure} Structure */
/** @typedef {import("./graph-view.js").GroupView} GroupView */

/** Graphs with more nodes than this start with their loops and calls collapsed: about
 * what the canvas draws at a readable zoom without panning for ever. */
export const COLLAPSE_ABOVE = 300;

/** Stable names for the groups and loops of a run, so that a choice to collapse one
 * survives a re-run: a group's source, its place (the iteration's index, the call's name)
 * and its parent's name; a loop's header and the group it ran in.
 * @param {RunReport} report @returns {{ groups: string[], loops: string[] }} */
export function keysOf(report) {
  /** @type {string[]} */
  const groups = [];
  report.groups.forEach((g, i) => {
    const parent = g.parent === null || g.parent === undefined ? "" : groups[g.parent];
    groups[i] = `${parent}/${g.start}-${g.end}:${g.kind === "iteration" ? g.index : g.name}`;
  });
  const loops = report.loops.map((l) => `${l.parent === null || l.parent === undefined ? "" : groups[l.parent]}/loop ${l.start}-${l.end}`);
  return { groups, loops };
}

/** What a group's box says: its source (`for t in range(4)`, `call f(x)`) and, for an
 * iteration, which (`step 2`, counted from 1).
 * @param {string} source @param {RunReport["groups"][number]} g */
export function groupLabel(source, g) {
  const text = headerOf(source, g.start, g.end);
  return g.kind === "iteration" ? { header: text, detail: `step ${(g.index ?? 0) + 1}` } : { header: `call ${text}`, detail: "" };
}

/** @param {string} source @param {number} start @param {number} end */
function headerOf(source, start, end) {
  return source.slice(byteToIndex(source, start), byteToIndex(source, end)).replace(/\s+/g, " ").replace(/:$/, "");
}

/** What to collapse, by key, at each level the page tries when nothing was chosen: first
 * nothing; then every outermost iteration and call (a cell unrolled 4 times: 4 boxes);
 * then every outermost loop and call (unrolled 200 times: one box).
 * @param {RunReport} report @returns {Set<string>[]} */
export function collapseLevels(report) {
  const keys = keysOf(report);
  const outer = (/** @type {number | null | undefined} */ p) => p === null || p === undefined;
  const calls = report.groups.flatMap((g, i) => (g.kind === "call" && outer(g.parent) ? [keys.groups[i]] : []));
  const steps = report.groups.flatMap((g, i) => (g.kind === "iteration" && outer(g.parent) ? [keys.groups[i]] : []));
  const loops = report.loops.flatMap((l, i) => (outer(l.parent) ? [keys.loops[i]] : []));
  return [new Set(), new Set([...steps, ...calls]), new Set([...loops, ...calls])];
}

/** The indices of the groups and loops whose keys are in `collapsed`.
 * @param {RunReport} report @param {Set<string>} collapsed */
export function collapsedIndices(report, collapsed) {
  const keys = keysOf(report);
  return {
    groups: keys.groups.flatMap((k, i) => (collapsed.has(k) ? [i] : [])),
    loops: keys.loops.flatMap((k, i) => (collapsed.has(k) ? [i] : [])),
  };
}

/** The view's structure for a grouped layout: items, groups with labels and sizes (the
 * report's groups, then one per loop), and each node's innermost group.
 * @param {string} source @param {RunReport} report @param {GroupedLayout} grouped
 * @param {{ groups: number[], loops: number[] }} collapsed @returns {Structure} */
export function structureOf(source, report, grouped, collapsed) {
  const shutGroups = new Set(collapsed.groups);
  const shutLoops = new Set(collapsed.loops);
  /** @type {number[]} */
  const sizes = report.groups.map(() => 0);
  for (const o of report.origins) {
    for (let g = o.group ?? null; g !== null; g = report.groups[g].parent ?? null) sizes[g]++;
  }
  /** @type {GroupView[]} */
  const groups = report.groups.map((g, i) => ({
    ...groupLabel(source, g),
    parent: g.parent ?? null,
    collapsed: shutGroups.has(i),
    nodes: sizes[i],
  }));
  // A loop is drawn as a group only when collapsed: expanded, its iterations are boxes.
  const first = groups.length;
  report.loops.forEach((l, i) => {
    const n = l.iterations.length;
    groups.push({
      header: headerOf(source, l.start, l.end),
      detail: `${n} step${n === 1 ? "" : "s"}`,
      parent: l.parent ?? null,
      collapsed: shutLoops.has(i),
      nodes: l.iterations.reduce((sum, g) => sum + sizes[g], 0),
    });
  });
  return {
    items: grouped.items.map((item) =>
      "node" in item ? { kind: "node", id: item.node } : "group" in item ? { kind: "group", group: item.group } : { kind: "group", group: first + item.loop },
    ),
    itemOf: grouped.item_of,
    groups,
    nodeGroup: report.origins.map((o) => o.group ?? null),
  };
}

/** The key of the view's group `g` (a report group, or past them a loop).
 * @param {RunReport} report @param {number} g */
export function viewGroupKey(report, g) {
  const keys = keysOf(report);
  return g < keys.groups.length ? keys.groups[g] : keys.loops[g - keys.groups.length];
}

/** A name for each node that survives a re-run: where in the text it was made, in which
 * group, by which op, and which of several such it is.
 * @param {RunReport} report @param {NodeReport[]} nodes @returns {string[]} */
export function nodeKeys(report, nodes) {
  const { groups } = keysOf(report);
  /** @type {Map<string, number>} */
  const seen = new Map();
  return nodes.map((n, i) => {
    const o = report.origins[i];
    const base = `${o.start}-${o.end}|${o.group === null || o.group === undefined ? "" : groups[o.group]}|${n.op}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return `${base}#${k}`;
  });
}

/** What changed from one run to the next, in words: each `if` whose branch flipped, each
 * loop that ran another number of times, and how many nodes came and went.
 * @param {string} source @param {RunReport} before @param {RunReport} after @param {number} appeared @param {number} gone */
export function describeChange(source, before, after, appeared, gone) {
  const lines = new SourceLines(source);
  const lineOf = (/** @type {number} */ byte) => lines.lineOf(byte);
  const headerText = (/** @type {number} */ a, /** @type {number} */ b) => lines.slice(a, b).replace(/:$/, "");
  /** @type {string[]} */
  const said = [];
  const branchName = (/** @type {number | null | undefined} */ t) => (t === null || t === undefined ? "else" : t === 0 ? "if" : `elif ${t}`);
  // First run of each `if` header, before and after.
  /** @param {RunReport} r */
  const firstBranches = (r) => {
    /** @type {Map<number, RunReport["branches"][number]>} */
    const m = new Map();
    for (const b of r.branches) if (!m.has(b.start)) m.set(b.start, b);
    return m;
  };
  const was = firstBranches(before);
  for (const [start, b] of firstBranches(after)) {
    const old = was.get(start);
    if (old && old.taken !== b.taken) {
      const c = b.conditions[b.conditions.length - 1];
      said.push(
        `line ${lineOf(start)}: ${headerText(b.start, b.end)} now runs ${branchName(b.taken)} ` +
          `(its condition is ${c}: ${c ? "true" : "false"}), not ${branchName(old.taken)}`,
      );
    }
  }
  /** @param {RunReport} r */
  const loopCounts = (r) => {
    /** @type {Map<number, { count: number, end: number }>} */
    const m = new Map();
    for (const g of r.groups) {
      if (g.kind !== "iteration") continue;
      const c = m.get(g.start) ?? { count: 0, end: g.end };
      c.count++;
      m.set(g.start, c);
    }
    return m;
  };
  const loopsBefore = loopCounts(before);
  const loopsAfter = loopCounts(after);
  for (const start of new Set([...loopsBefore.keys(), ...loopsAfter.keys()])) {
    const a = loopsBefore.get(start)?.count ?? 0;
    const b = loopsAfter.get(start);
    const end = b?.end ?? loopsBefore.get(start)?.end ?? start;
    const n = b?.count ?? 0;
    if (a !== n) said.push(`line ${lineOf(start)}: ${headerText(start, end)} ran ${n} time${n === 1 ? "" : "s"}, not ${a}`);
  }
  const counts = [appeared ? `${appeared} node${appeared === 1 ? "" : "s"} appeared` : "", gone ? `${gone} went away` : ""].filter(Boolean);
  if (counts.length) said.push(counts.join(", "));
  return said.length ? `The graph changed: ${said.join("; ")}.` : "";
}
