import { readManifest, BoxFormatError, SectionReader, sections, type Manifest } from '@marcotte/abi';
import { readModule, WasmFormatError } from '@marcotte/linker';
import { flag, parseArgs, UsageError, type OptionSpec } from '../args.ts';
import { readInput } from '../io.ts';

export const INSPECT_HELP = `Usage: box inspect [--json] BOX.box.wasm

Shows what a box is and what it may do: its manifest (entrypoint, args, env,
workdir, mount points, ports, capabilities and versions, and for a box from
box build its layers, labels and user), its authority (the host
functions it imports, grouped by the part that calls them), its filesystem
image, and its size per part and per section.

Options:
  --json       print the same as one JSON object
  -h, --help   show this help`;

const SPECS: OptionSpec[] = [{ name: 'json' }, { name: 'help', short: 'h' }];

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

export interface Inspection {
  manifest: Manifest;
  /** part ("app", a capability, or "box" for glue) -> host functions it calls */
  authority: Record<string, string[]>;
  memories: number;
  /** section name (custom sections by their own name) -> bytes */
  sections: Record<string, number>;
  size: number;
}

/** A custom section's name, as bytes decoded leniently (a size report, not a check). */
function customName(bytes: Uint8Array, start: number, end: number): string {
  const r = new SectionReader(bytes, start, end);
  const len = r.u32();
  return new TextDecoder().decode(bytes.subarray(r.at, Math.min(r.at + len, end)));
}

/** Section sizes, read from the headers alone (abi's bounds-checked walker). */
function sectionSizes(bytes: Uint8Array): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const { id, start, end } of sections(bytes)) {
    const name = id === 0 ? `custom "${customName(bytes, start, end)}"` : SECTION_NAMES[id] ?? `unknown ${id}`;
    sizes[name] = (sizes[name] ?? 0) + (end - start);
  }
  return sizes;
}

export function inspectBox(bytes: Uint8Array): Inspection {
  const manifest = readManifest(bytes);
  const module = readModule(bytes);
  const authority: Record<string, string[]> = {};
  for (const [fn, parts] of Object.entries(manifest.hostImportsBy ?? {})) {
    for (const part of parts) (authority[part] ??= []).push(fn);
  }
  for (const list of Object.values(authority)) list.sort();
  return { manifest, authority, memories: module.memories.length, sections: sectionSizes(bytes), size: bytes.length };
}

function text(i: Inspection): string {
  const m = i.manifest;
  const lines = [
    `format ${m.format}, ${i.size} bytes, ${i.memories} memories`,
    `capabilities: ${Object.entries(m.capabilities).map(([n, c]) => `${n} ${c.version}`).join(', ')}`,
    `entrypoint: ${m.entrypoint}`,
    `default args: ${m.args.length ? m.args.map((a) => JSON.stringify(a)).join(' ') : '(none)'}`,
    `env: ${m.env.length ? m.env.join(' ') : '(none)'}`,
  ];
  if (m.workdir) lines.push(`workdir: ${m.workdir}`);
  if (m.mountPoints?.length) lines.push(`mount points: ${m.mountPoints.join(', ')}`);
  if (m.ports?.length) lines.push(`ports: ${m.ports.join(', ')} (box run -p HOST:PORT)`);
  if (m.image) lines.push(`image: ${m.image.files} files (${m.image.bytes} bytes), ${m.image.dirs} directories, ${m.image.symlinks} symlinks`);
  if (m.build) {
    const b = m.build;
    lines.push(`built from: ${b.from}`);
    if (b.user) lines.push(`user: ${b.user} (recorded: preview1 has no users)`);
    if (b.labels && Object.keys(b.labels).length) lines.push(`labels: ${Object.entries(b.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
    if (b.exposed?.length) lines.push(`exposed: ${b.exposed.join(', ')}`);
    if (b.stopSignal) lines.push(`stop signal: ${b.stopSignal}`);
    lines.push(`layers: ${b.layers.length}`);
    for (const l of b.layers) lines.push(`  ${l.digest.slice(0, 19)} ${String(l.size).padStart(9)} B  ${l.line ? `line ${l.line}: ` : ''}${l.instruction}`);
  }
  if (m.clock) lines.push(`clock: ${m.clock}`);
  if (m.random) lines.push(`random: ${m.random}`);
  if (m.sealed) lines.push('sealed: argv and env are baked for good');
  if (m.singleMemory) lines.push(...singleMemoryLines(m.singleMemory, i.memories));
  if (m.denied?.length) lines.push(`denied: ${m.denied.join(', ')}`);
  lines.push(`authority (host imports): ${m.hostImports.length ? '' : 'none'}`);
  for (const [part, fns] of Object.entries(i.authority)) lines.push(`  ${part}: ${fns.join(', ')}`);
  lines.push('size per part (functions, code bytes, data bytes):');
  for (const [part, s] of Object.entries(m.sizes ?? {})) lines.push(`  ${part}: ${s.functions}, ${s.code}, ${s.data}`);
  lines.push('size per section:');
  for (const [section, size] of Object.entries(i.sections)) lines.push(`  ${section}: ${size}`);
  return lines.join('\n');
}

const mib = (pages: number) => (pages % 16 === 0 ? `${pages / 16} MiB` : `${pages * 64} KiB`);

/** The layout of a --single-memory box, and plainly whether its program is bounds-checked. */
function singleMemoryLines(single: NonNullable<Manifest['singleMemory']>, memories: number): string[] {
  const lines = [single.checked
    ? 'single memory: capabilities laid into memory 0; the program\'s accesses are bounds-checked against its own region'
    : 'single memory, UNCHECKED: the program can read and write every capability\'s state'];
  if (memories !== 1) lines.push(`  (the manifest says single memory, but the module has ${memories} memories)`);
  for (const [name, r] of Object.entries(single.regions)) lines.push(`  ${name}: ${mib(r.pages)} at ${r.base}`);
  return lines;
}

export async function inspectCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('box inspect', argv, SPECS, 1);
  if (flag(args, 'help')) {
    console.log(INSPECT_HELP);
    return 0;
  }
  const path = args.positionals[0];
  if (!path) throw new UsageError('box inspect: expected BOX.box.wasm (see box inspect --help)');
  const bytes = await readInput('box inspect', path);
  let inspection: Inspection;
  try {
    inspection = inspectBox(bytes);
  } catch (e) {
    if (e instanceof BoxFormatError || e instanceof WasmFormatError) throw new UsageError(`box inspect: ${path}: ${e.message}`);
    throw e;
  }
  console.log(flag(args, 'json') ? JSON.stringify(inspection, null, 2) : text(inspection));
  return 0;
}
