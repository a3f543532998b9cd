// The layering rules of src/, read off the real import graph with the
// TypeScript compiler's own pre-processor (every import, export-from, dynamic
// import and require, type-only ones included). A rule broken anywhere names
// the file, the import and the rule, so the fix is obvious.
//
//   src/shared            imports nothing from src/main or src/renderer, and no Node module
//   src/main/cpu          the core: only cpu/ and shared/
//   src/main/devices      the board's devices and the device-tree model: devices/, cpu/, shared/
//   src/main/link         the session-worker contract: link/ and shared/ only (both sides import it)
//   src/main/hv           the hypervisor (worker side): cpu/, devices/, link/, shared/; never lab/, guest/, cli/, web/
//   src/main/guest        the worker side: never lab/, cli/ or web/
//   src/main/lab          the main-thread side: never guest/ (the worker's run loop and board),
//                         except the pure ELF parser it uses to check an image before a worker starts
//   electron              only in src/main/index.ts and src/preload
//   src/renderer          reaches the lab only through the LabApi: src/shared and its own files

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const SRC = join(ROOT, 'src');

interface Edge {
  from: string; // repo-relative file
  spec: string; // as written
  to: string | null; // repo-relative file for a relative import, null for a package or builtin
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|vue)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The script text of a file (a .vue file's <script> blocks). */
function scriptOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.vue')) return text;
  return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

function resolveRelative(from: string, spec: string): string {
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.vue`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return relative(ROOT, candidate);
    } catch {
      // try the next form
    }
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve import '${spec}'`);
}

function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(scriptOf(file), true, true);
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      edges.push({ from: relative(ROOT, file), spec, to: spec.startsWith('.') ? resolveRelative(file, spec) : null });
    }
  }
  return edges;
}

const graph = importGraph();

const within = (path: string | null, ...dirs: string[]) => path !== null && dirs.some((d) => path === d || path.startsWith(`${d}/`));

interface Rule {
  name: string;
  /** The files the rule governs. */
  applies: (file: string) => boolean;
  /** True when the edge is allowed. */
  allows: (e: Edge) => boolean;
}

const isNode = (spec: string) => spec.startsWith('node:');

const RULES: Rule[] = [
  {
    name: 'src/shared depends on nothing: no src/main, no src/renderer, no Node modules, no packages but zod',
    applies: (f) => within(f, 'src/shared'),
    allows: (e) => (e.to === null ? e.spec === 'zod' : within(e.to, 'src/shared')),
  },
  {
    name: 'cpu/ imports only cpu/ and src/shared',
    applies: (f) => within(f, 'src/main/cpu'),
    allows: (e) => e.to !== null && within(e.to, 'src/main/cpu', 'src/shared'),
  },
  {
    name: 'devices/ imports only devices/, cpu/ and src/shared',
    applies: (f) => within(f, 'src/main/devices'),
    allows: (e) => e.to !== null && within(e.to, 'src/main/devices', 'src/main/cpu', 'src/shared'),
  },
  {
    name: 'link/ (the session-worker contract) imports only link/, src/shared and Node modules',
    applies: (f) => within(f, 'src/main/link'),
    allows: (e) => (e.to === null ? isNode(e.spec) : within(e.to, 'src/main/link', 'src/shared')),
  },
  {
    name: 'hv/ imports only hv/, cpu/, devices/, link/ and src/shared (never lab/, guest/, cli/, web/)',
    applies: (f) => within(f, 'src/main/hv'),
    allows: (e) => e.to !== null && within(e.to, 'src/main/hv', 'src/main/cpu', 'src/main/devices', 'src/main/link', 'src/shared'),
  },
  {
    name: 'guest/ (the worker side) never imports lab/, cli/ or web/',
    applies: (f) => within(f, 'src/main/guest'),
    allows: (e) => !within(e.to, 'src/main/lab', 'src/main/cli', 'src/main/web'),
  },
  {
    name: 'lab/ (the main-thread side) never imports guest/ but for the pure ELF parser, nor cli/ or web/',
    applies: (f) => within(f, 'src/main/lab'),
    allows: (e) => !within(e.to, 'src/main/guest', 'src/main/cli', 'src/main/web') || e.to === 'src/main/guest/elf.ts',
  },
  {
    name: 'electron is imported only by src/main/index.ts and src/preload',
    applies: (f) => f !== 'src/main/index.ts' && !within(f, 'src/preload'),
    allows: (e) => !(e.spec === 'electron' || e.spec.startsWith('electron/') || e.spec.startsWith('@electron/')),
  },
  {
    name: 'the renderer reaches the lab only through the LabApi: it imports src/renderer and src/shared, never src/main or src/preload',
    applies: (f) => within(f, 'src/renderer'),
    allows: (e) => (e.to === null ? !isNode(e.spec) && e.spec !== 'electron' : within(e.to, 'src/renderer', 'src/shared')),
  },
];

function violations(rule: Rule, edges: Edge[]): string[] {
  return edges.filter((e) => rule.applies(e.from) && !rule.allows(e)).map((e) => `${e.from} imports '${e.spec}'`);
}

describe('import rules of src/', () => {
  it('reads a graph that covers every part of the tree', () => {
    for (const d of ['src/shared', 'src/main/cpu', 'src/main/devices', 'src/main/link', 'src/main/hv', 'src/main/guest', 'src/main/lab', 'src/preload', 'src/renderer']) {
      expect(graph.some((e) => within(e.from, d)), d).toBe(true);
    }
    // The resolver found real files for the relative imports (a typo throws above).
    expect(graph.filter((e) => e.to !== null).length).toBeGreaterThan(200);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      expect(violations(rule, graph)).toEqual([]);
    });
  }

  it('catches the breaks it exists for', () => {
    // Each rule is checked against a made-up edge that breaks it, so a rule
    // that has quietly stopped matching anything fails here.
    const broken: Edge[] = [
      { from: 'src/shared/x.ts', spec: '../main/lab/session', to: 'src/main/lab/session.ts' },
      { from: 'src/main/cpu/x.ts', spec: '../hv/exit', to: 'src/main/hv/exit.ts' },
      { from: 'src/main/devices/x.ts', spec: '../guest/machine', to: 'src/main/guest/machine.ts' },
      { from: 'src/main/link/x.ts', spec: '../hv/types', to: 'src/main/hv/types.ts' },
      { from: 'src/main/hv/x.ts', spec: '../guest/machine', to: 'src/main/guest/machine.ts' },
      { from: 'src/main/guest/x.ts', spec: '../lab/session', to: 'src/main/lab/session.ts' },
      { from: 'src/main/lab/x.ts', spec: '../guest/runner', to: 'src/main/guest/runner.ts' },
      { from: 'src/main/web/x.ts', spec: 'electron', to: null },
      { from: 'src/renderer/src/x.ts', spec: '../../main/lab/session', to: 'src/main/lab/session.ts' },
    ];
    RULES.forEach((rule, i) => {
      expect(violations(rule, [broken[i]!]), rule.name).toHaveLength(1);
    });
  });
});
