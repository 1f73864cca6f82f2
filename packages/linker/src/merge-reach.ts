// Reachability, the merge's second step: which functions of the planned
// graph the box keeps. Its own step because it is the one decision about
// size and authority: what nothing reachable calls is dropped, capability
// code and the host imports only that code used with it (merge.ts).

import { ByteWriter } from './binary/leb.ts';
import { rewriteExpr } from './binary/code.ts';
import { codeAt } from './binary/reader.ts';
import { identityMap, type IndexMap, type Module } from './binary/module.ts';
import type { Graph, Plan } from './merge.ts';
import { NodeSet } from './node-map.ts';

/** What reachability found: the kept nodes and host imports, and which parts call each host import. */
export interface Reach {
  reached: NodeSet;
  hostUsers: Map<string, Set<string>>;
}

/**
 * The program is kept whole; capability code only as far as it is called,
 * from the program, the start chain, the entry wrapper or the control surface.
 */
export function reach(plan: Plan): Reach {
  const { parts, funcNode } = plan.graph;
  const app = parts[0]!;
  const roots: Array<[number | string, string]> = [];
  // The program's own functions are roots as one range (a large program has tens of thousands); its imports one by one.
  for (let i = 0; i < app.imports.length; i++) roots.push([funcNode(app, i), 'app']);
  if (plan.startNode !== undefined) roots.push([plan.startNode, 'box']);
  roots.push([plan.wrapperNode, 'box']);
  for (const list of plan.controls) for (const [, node] of list) roots.push([node, 'box']);
  return reachable(plan.graph, roots);
}

/**
 * The nodes (and host imports) reached from `roots`, each root with the part
 * it counts for, and which parts use each host import. The program (part 0)
 * is a root whole; a capability's code is followed through its calls, and
 * whatever its tables and globals name is kept (call_indirect is not followed).
 */
function reachable(graph: Graph, roots: ReadonlyArray<[number | string, string]>): Reach {
  const { parts, synths, nodes, funcNode } = graph;
  const reached = new NodeSet(nodes + synths.length);
  const hostUsers = new Map<string, Set<string>>();
  const work: Array<number> = [];
  const partOfNode = (n: number) => parts.findLast((p) => p.firstNode <= n)!;
  const appPart = parts[0]!;
  const appEnd = appPart.firstNode + appPart.module.functions.length;
  const reach = (n: number | string, by: string) => {
    if (typeof n === 'string') {
      if (!hostUsers.has(n)) hostUsers.set(n, new Set());
      hostUsers.get(n)!.add(by);
    }
    if (reached.has(n)) return;
    reached.add(n);
    // the program's own code is not followed (it is kept whole; its imports are roots): a large program's
    // tens of thousands of functions are marked, not queued
    if (typeof n === 'number' && (n < appPart.firstNode || n >= appEnd)) work.push(n);
  };
  for (let n = appPart.firstNode; n < appEnd; n++) reached.add(n);
  for (const [n, by] of roots) reach(n, by);
  parts.slice(1).forEach((p) => {
    for (const e of p.module.elements) for (const f of elementFuncs(e)) reach(funcNode(p, f), p.name);
    for (const g of p.module.globals) for (const f of refFuncs(g.init)) reach(funcNode(p, f), p.name);
  });
  while (work.length) {
    const n = work.pop()!;
    if (n >= nodes) {
      const synth = synths[n - nodes]!;
      for (const callee of synth.calls ?? []) reach(callee, synth.owner ?? 'box');
      continue;
    }
    const p = partOfNode(n);
    const body = codeAt(p.module, n - p.firstNode);
    for (const f of refFuncs(body.body, body.offset)) reach(funcNode(p, f), p.name);
  }
  return { reached, hostUsers };
}

/** Function indices an expression names (call, return_call, ref.func). */
function refFuncs(expr: Uint8Array, offset = 0): number[] {
  const found: number[] = [];
  const recording: IndexMap = {
    ...identityMap,
    func: (i) => {
      found.push(i);
      return i;
    },
  };
  scratch.reset();
  rewriteExpr(expr, recording, scratch, offset);
  return found;
}
const scratch = new ByteWriter(1 << 12);

function elementFuncs(e: Module['elements'][number]): number[] {
  return e.funcs ?? (e.exprs ?? []).flatMap((x) => refFuncs(x));
}
