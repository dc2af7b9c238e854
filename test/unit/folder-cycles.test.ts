/**
 * The concern folders under app/ (payments, shopify, settings, soisy, …) depend on each other in
 * one direction only: no folder imports, directly or through other folders, a folder that imports
 * it back. Route files (app/routes) and the files at app/'s root wire everything together and may
 * import anything, so they are not part of the graph. Imports are read from the source text
 * (`from "~/x/…"`, `from "./…"`, `import("…")`), type-only imports included: a type cycle is still a
 * cycle for the reader.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const appDir = path.resolve(import.meta.dirname, "../../app");
const EXEMPT = new Set(["routes", "generated"]);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

/** The concern folder of a path under app/, or null for root files, routes and paths outside app/. */
function folderOf(file: string): string | null {
  const relative = path.relative(appDir, file);
  if (relative.startsWith("..")) return null;
  const parts = relative.split(path.sep);
  if (parts.length < 2 || EXEMPT.has(parts[0]!)) return null;
  return parts[0]!;
}

/** folder → the folders its files import (self excluded). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(appDir)) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const specifier = match[1]!;
      let target: string;
      if (specifier.startsWith("~/")) target = path.join(appDir, specifier.slice(2));
      else if (specifier.startsWith(".")) target = path.resolve(path.dirname(file), specifier);
      else continue;
      const to = folderOf(target);
      if (to && to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle's folders, once per strongly connected group (Tarjan), e.g. ["payments", "shopify"]. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

describe("folder dependencies under app/", () => {
  it("reads the concern folders and their imports", () => {
    const graph = folderGraph();
    // A guard against a parser that silently sees nothing (the test could never fail then).
    expect(graph.get("payments")?.has("soisy")).toBe(true);
    expect(graph.get("shopify")?.has("settings")).toBe(true);
  });

  it("no folder imports a folder that imports it back (directly or through others)", () => {
    const graph = folderGraph();
    const found = cycles(graph).map((group) => {
      const edges = group.flatMap((from) => [...graph.get(from)!].filter((to) => group.includes(to)).map((to) => `${from} → ${to}`));
      return `${group.join(", ")}: ${edges.join("; ")}`;
    });
    expect(found).toEqual([]);
  });
});
