// Runs one tool's fuzzer in this process (spawned by fuzz.test.ts, whose
// timeout catches a hang): `node driver.ts TOOL SEED COUNT WORKDIR [FROM
// [TIMED]]`. Each iteration writes a mutated input into a fresh directory,
// calls the CLI's main() with stderr captured, and appends one JSON line to
// WORKDIR/results.jsonl: the exit code, the stderr lines and the files that
// appeared. A "start" line goes first, so a hang names its iteration; it is
// also written to fd 3 when the test opened one (box run's watchdog).
// stdout (the boxes' own output) is not looked at.
//
// FROM starts at that iteration (the inputs before it are drawn and thrown
// away, so that each iteration gets the input it gets in a whole run); TIMED
// lists iterations (comma-separated) that `box run` must run with --timeout.

import { appendFileSync, cpSync, fstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main } from '../main.ts';
import { readManifest, type ImageEntry } from '@marcotte/abi';
import { imageFromTar, snapshotToTar } from '@marcotte/vfs';
import { ociLayout } from '../oci.ts';
import { customPayload, mutateBox, mutateDockerfile, mutateOciImage, mutateTar, mutateWasm, replaceCustom, rng, tar, type OciParts, type Rand } from './mutate.ts';

const root = new URL('../../../../', import.meta.url).pathname;
const hello = join(root, 'examples/hello/hello.wasm');
const helloData = join(root, 'examples/hello/data');

export const DOCKERFILE = `# a small build: no RUN, so the fuzzer measures the parser and the COPY rules
FROM scratch
ARG GREETING=Hello
ENV GREETING=\${GREETING} LANG=C
COPY hello.wasm /bin/hello
COPY data/ /data/
WORKDIR /data
LABEL org.example.fuzz="yes"
ENTRYPOINT ["/bin/hello"]
CMD ["default"]
`;

export interface Result {
  i: number;
  how: string;
  code: number;
  stderr: string[];
  /** files that appeared in the iteration's directory, relative to it */
  added: string[];
  /** the path the tool may write, relative to the iteration's directory */
  output: string;
  ms: number;
  /** false when box-link wrote a box that does not compile */
  compiles?: false;
}

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** main() with console.error, console.log and process.stderr.write captured. */
async function capture(program: 'box' | 'box-link', argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const error = console.error, log = console.log, write = process.stderr.write;
  console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  console.log = () => {};
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(program, argv), stderr };
  } finally {
    console.error = error;
    console.log = log;
    process.stderr.write = write;
  }
}

interface Case {
  how: string;
  program: 'box' | 'box-link';
  argv: string[];
}

type Tool = (r: Rand, dir: string, base: Base, i: number) => Case;

interface Base {
  box: Uint8Array;
  tar: Uint8Array;
  /** the box exported in both forms, and a Docker wasi/wasm image of hello (a plain program in a tar layer) */
  oci: OciParts[];
}

const OUT = 'out.box.wasm';

const TOOLS: Record<string, Tool> = {
  'box-link': (r, dir) => {
    const m = mutateWasm(r, readFileSync(hello));
    writeFileSync(join(dir, 'app.wasm'), m.bytes);
    return { how: m.how, program: 'box-link', argv: [join(dir, 'app.wasm'), '-o', join(dir, OUT)] };
  },
  'box-link --image': (r, dir, base) => {
    const m = mutateTar(r, base.tar);
    writeFileSync(join(dir, 'image.tar'), m.bytes);
    return { how: m.how, program: 'box-link', argv: ['--image', join(dir, 'image.tar'), hello, '-o', join(dir, OUT)] };
  },
  'box inspect': (r, dir, base) => {
    const m = mutateBox(r, base.box);
    writeFileSync(join(dir, 'in.box.wasm'), m.bytes);
    return { how: m.how, program: 'box', argv: ['inspect', ...(r(2) ? ['--json'] : []), join(dir, 'in.box.wasm')] };
  },
  'box export': (r, dir, base) => {
    const m = mutateBox(r, base.box);
    writeFileSync(join(dir, 'in.box.wasm'), m.bytes);
    return { how: m.how, program: 'box', argv: ['export', '--oci', join(dir, OUT), join(dir, 'in.box.wasm')] };
  },
  'box run': (r, dir, base, i) => {
    const m = mutateBox(r, base.box);
    writeFileSync(join(dir, 'in.box.wasm'), m.bytes);
    const commit = r(2) === 1;
    const mode = r(4) === 0 ? ['--mode', 'dynamic'] : [];
    // A run with a time limit runs in a worker of its own (~0.15 s of CPU to start one), a run
    // without on this thread (~0.01 s): every fourth iteration takes the worker's path, the others
    // this thread's, as box run does without --timeout. A mutation that makes the program loop
    // hangs this process then: the test's watchdog ends it and runs that iteration again, timed.
    const timed = i % 4 === 0 || timedAlways.has(i);
    return {
      how: `${m.how}${commit ? ' --commit' : ''}${mode.length ? ' dynamic' : ''}${timed ? ' --timeout' : ''}`, program: 'box',
      argv: ['run', ...(timed ? ['--timeout', '30'] : []), ...mode, ...(commit ? ['--commit', join(dir, OUT)] : []), join(dir, 'in.box.wasm')],
    };
  },
  'box build': (r, dir) => {
    const ctx = context(dir);
    const m = mutateDockerfile(r, DOCKERFILE);
    writeFileSync(join(ctx, 'Dockerfile'), m.text);
    return { how: m.how, program: 'box', argv: ['build', '--no-cache', '-o', join(dir, OUT), ctx] };
  },
  'box build ADD tar': (r, dir, base) => {
    const ctx = context(dir);
    const m = mutateTar(r, base.tar);
    writeFileSync(join(ctx, 'ctx.tar'), m.bytes);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nADD ctx.tar /x/\nCOPY hello.wasm /hello\nENTRYPOINT ["/hello"]\n');
    return { how: m.how, program: 'box', argv: ['build', '--no-cache', '-o', join(dir, OUT), ctx] };
  },
  'box build FROM oci': (r, dir, base) => {
    const ctx = context(dir);
    const parts = base.oci[r(base.oci.length)]!;
    const m = mutateOciImage(r, parts);
    const entries: ImageEntry[] = [...m.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, data]) => ({ path: `/${path}`, type: 'file', data }));
    let archive = snapshotToTar(entries);
    let how = `${parts.layerKind} ${m.how}`;
    if (r(4) === 0) {
      const raw = mutateTar(r, archive);
      archive = raw.bytes;
      how = `${parts.layerKind} archive ${raw.how}`;
    }
    writeFileSync(join(ctx, 'img.tar'), archive);
    // Nothing after FROM (the base box as it is, or the image's program linked), or steps over it, as FROM box's fuzzer takes.
    const more = r(2) === 1;
    writeFileSync(join(ctx, 'Dockerfile'), `FROM oci-archive:img.tar\n${more ? 'ENV EXTRA=1\nCOPY data/ /more/\nCOPY hello.wasm /bin/hello\nENTRYPOINT ["/bin/hello"]\n' : ''}`);
    return { how: `${how}${more ? ' +steps' : ''}`, program: 'box', argv: ['build', '--no-cache', '-o', join(dir, OUT), ctx] };
  },
  'box build FROM box': (r, dir, base) => {
    const ctx = context(dir);
    const m = mutateBox(r, base.box);
    writeFileSync(join(ctx, 'base.box.wasm'), m.bytes);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM base.box.wasm\nENV EXTRA=1\nCOPY data/ /more/\nCOPY hello.wasm /bin/hello\nENTRYPOINT ["/bin/hello"]\n');
    return { how: m.how, program: 'box', argv: ['build', '--no-cache', '-o', join(dir, OUT), ctx] };
  },
};

function context(dir: string): string {
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  cpSync(hello, join(ctx, 'hello.wasm'));
  cpSync(helloData, join(ctx, 'data'), { recursive: true });
  return ctx;
}

async function makeBase(dir: string): Promise<Base> {
  const out = join(dir, 'base.box.wasm');
  // hello lists /data: the image holds it, so an intact box exits 0
  const image = join(dir, 'image');
  cpSync(helloData, join(image, 'data'), { recursive: true });
  const linked = await capture('box-link', ['--portable', '--image', image, '--env', 'GREETING=Hi', '-o', out, hello, '--', 'default']);
  if (linked.code !== 0) throw new Error(`cannot link the base box: ${linked.stderr}`);
  // A build record as box build writes one, so that mutations reach its fields too (box inspect prints them, FROM starts from them).
  const box = readFileSync(out);
  const manifest = JSON.parse(new TextDecoder().decode(customPayload(box, 'box'))) as Record<string, unknown>;
  manifest.build = {
    from: 'scratch',
    layers: [
      { digest: `sha256:${'ab'.repeat(32)}`, instruction: 'COPY data/ /data/', line: 3, size: 2048 },
      { digest: `sha256:${'cd'.repeat(32)}`, instruction: 'COPY --chown=1:1 hello.wasm /bin/hello', line: 4, size: 40960, chown: '1:1' },
    ],
    labels: { 'org.example.fuzz': 'yes' }, user: 'nobody', exposed: [], volumes: [], stopSignal: 'SIGTERM', shell: ['/bin/sh', '-c'],
  };
  const built = replaceCustom(box, 'box', new TextEncoder().encode(JSON.stringify(manifest)));
  return {
    box: built,
    oci: [...(['tar', 'wasm'] as const).map((form) => ociParts(ociLayout(built, readManifest(built), { name: 'localhost/base:1.0', title: 'base.box.wasm', layer: form }), form === 'wasm' ? 'box' : 'tar')), dockerWasiImage()],
    tar: tar([
      { path: 'etc/', type: 'dir' },
      { path: 'etc/hostname', type: 'file', data: 'box\n' },
      { path: 'bin/', type: 'dir' },
      { path: 'bin/sh', type: 'symlink', target: '/bin/hello' },
      { path: 'data/notes.txt', type: 'file', data: 'x'.repeat(700) },
    ]),
  };
}

/** A one-image layout read back into the parts mutateOciImage edits. */
function ociParts(archive: Uint8Array, layerKind: OciParts['layerKind']): OciParts {
  const files = new Map(imageFromTar(archive).filter((e) => e.type === 'file').map((e) => [e.path, e.data!]));
  const json = (path: string) => JSON.parse(new TextDecoder().decode(files.get(path)));
  const blob = (digest: string) => files.get(`/blobs/sha256/${digest.slice('sha256:'.length)}`)!;
  const index = json('/index.json');
  const manifest = JSON.parse(new TextDecoder().decode(blob(index.manifests[0].digest)));
  const config = JSON.parse(new TextDecoder().decode(blob(manifest.config.digest)));
  return { index, manifest, config, layer: blob(manifest.layers[0].digest), layerKind };
}

/** Docker's Wasm image form around hello (mutateOciImage fills in the digests and sizes). */
function dockerWasiImage(): OciParts {
  const layer = snapshotToTar([
    { path: '/bin', type: 'dir', mode: 0o755 },
    { path: '/bin/hello', type: 'file', data: new Uint8Array(readFileSync(hello)), mode: 0o755 },
    { path: '/data', type: 'dir', mode: 0o755 },
    { path: '/data/notes.txt', type: 'file', data: new TextEncoder().encode('notes'), mode: 0o644 },
  ]);
  const d = { digest: '', size: 0 };
  return {
    index: { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...d, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] },
    manifest: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...d }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...d }] },
    config: { architecture: 'wasm', os: 'wasi', config: { Entrypoint: ['/bin/hello'], Cmd: ['default'], Env: ['GREETING=Hi'], WorkingDir: '/data', Labels: { a: 'b' }, Volumes: { '/v': {} } }, rootfs: { type: 'layers', diff_ids: [''] } },
    layer, layerKind: 'tar',
  };
}

const [toolName, seedText, countText, workdir, fromText = '0', timedText = ''] = process.argv.slice(2);
/** Iterations `box run` runs with --timeout whatever their number (they hung on this thread before). */
const timedAlways = new Set(timedText.split(',').filter(Boolean).map(Number));
const tool = TOOLS[toolName!];
if (!tool || !workdir) throw new Error(`usage: driver.ts (${Object.keys(TOOLS).join('|')}) SEED COUNT WORKDIR [FROM [TIMED]]`);
const results = join(workdir, 'results.jsonl');
const base = await makeBase(workdir);
const r = rng(Number(seedText));
/** Where the test's watchdog listens, when it opened one. */
const watched = (() => {
  try {
    const fd3 = fstatSync(3);
    return fd3.isFIFO() || fd3.isSocket();
  } catch {
    return false;
  }
})();
for (let i = 0; i < Number(countText); i++) {
  const dir = join(workdir, `i${i}`);
  // left by a driver the watchdog ended in this iteration
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const c = tool(r, dir, base, i);
  if (i < Number(fromText)) {
    rmSync(dir, { recursive: true, force: true });
    continue;
  }
  appendFileSync(results, `${JSON.stringify({ start: i, how: c.how })}\n`);
  if (watched) writeSync(3, `${JSON.stringify({ i, timed: c.argv.includes('--timeout') })}\n`);
  const before = new Set(listing(dir));
  const t0 = performance.now();
  const { code, stderr } = await capture(c.program, c.argv);
  const ms = Math.round(performance.now() - t0);
  const added = listing(dir).filter((p) => !before.has(p));
  // A box the linker wrote must compile (a program whose _start returned i32 used to link into one that did not).
  const box = join(dir, OUT);
  const compiles = c.program === 'box-link' && code === 0 && added.includes(OUT) ? WebAssembly.validate(readFileSync(box)) : undefined;
  const lines = stderr.split('\n').filter((l) => l !== '');
  const result: Result = { i, how: c.how, code, stderr: lines, added, output: OUT, ms, ...(compiles === false ? { compiles } : {}) };
  appendFileSync(results, `${JSON.stringify(result)}\n`);
  rmSync(dir, { recursive: true, force: true });
}
appendFileSync(results, `${JSON.stringify({ done: true })}\n`);
