import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CapabilityDescriptor, ImageEntry } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { link, readModule, writeModule, type Module } from '@marcotte/linker';
import { snapshotToTar } from '@marcotte/vfs';
import { readBaseBox } from '../src/base.ts';
import { BuildError } from '../src/index.ts';
import { buildIn, CAPS, failure, FSOP, image, makeContext, runCaptured, scratchDir, text } from './helpers.ts';

/** A stand-in for the net capability: whatever the kernel imports from box:net, answering zeros. */
function fakeNet(): Uint8Array {
  const module: Module = { types: [], imports: [], functions: [], tables: [], memories: [{ min: 1n }], tags: [], globals: [], exports: [], elements: [], codes: [], data: [], customs: [] };
  const k = readModule(kernel.wasm());
  const zero: Record<number, number[]> = { 0x7f: [0x41, 0], 0x7e: [0x42, 0], 0x7d: [0x43, 0, 0, 0, 0], 0x7c: [0x44, 0, 0, 0, 0, 0, 0, 0, 0] };
  for (const imp of k.imports) {
    if (imp.module !== 'box:net' || imp.desc.kind !== 'func') continue;
    const type = k.types[imp.desc.type]!;
    module.types.push(type);
    module.functions.push(module.types.length - 1);
    module.codes.push({ locals: [], body: new Uint8Array([...type.results.flatMap((r) => zero[r]!), 0x0b]) });
    module.exports.push({ name: imp.name, kind: 'func', index: module.functions.length - 1 });
  }
  module.exports.push({ name: 'memory', kind: 'memory', index: 0 });
  return writeModule(module);
}

describe('box build: instructions', () => {
  it('COPY, ENV, WORKDIR, ENTRYPOINT and CMD make a box that runs with them', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'data/a.txt': 'A', 'data/sub/b.txt': 'B',
      Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY data /data\nENV GREETING=hi OTHER="two words"\nWORKDIR /data\nENTRYPOINT ["/bin/fsop"]\nCMD ["cat", "/data/a.txt", "env", "GREETING", "env", "OTHER", "args"]\n',
    });
    const r = await buildIn(ctx);
    expect(r.manifest.entrypoint).toBe('/bin/fsop');
    expect(r.manifest.args).toEqual(['cat', '/data/a.txt', 'env', 'GREETING', 'env', 'OTHER', 'args']);
    expect(r.manifest.env).toEqual(['GREETING=hi', 'OTHER=two words']);
    expect(r.manifest.workdir).toBe('/data');
    const img = image(r.bytes);
    expect(text(img.get('/data/a.txt'))).toBe('A');
    expect(text(img.get('/data/sub/b.txt'))).toBe('B');
    // the program is the box's program, not also a file of its image
    expect(img.has('/bin/fsop')).toBe(false);
    expect(r.layers.map((l) => [l.instruction, l.line])).toEqual([['COPY fsop.wasm /bin/fsop', 2], ['COPY data /data', 3]]);
    for (const l of r.layers) expect(l.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const run = await runCaptured(r.bytes);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('AGREETING=hi\nOTHER=two words\nargv[0]=/bin/fsop\nargv[1]=cat\nargv[2]=/data/a.txt\nargv[3]=env\nargv[4]=GREETING\nargv[5]=env\nargv[6]=OTHER\nargv[7]=args\n');
    // run-time args replace CMD
    expect((await runCaptured(r.bytes, ['env', 'GREETING'])).stdout).toBe('GREETING=hi\n');
  });

  it('capabilities follow the program\'s imports', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nENTRYPOINT ["/fsop"]\n' });
    const r = await buildIn(ctx);
    expect(Object.keys(r.manifest.capabilities)).toEqual(['kernel', 'vfs', 'proc']);
    const denied = await buildIn(ctx, { deny: ['proc'] });
    expect(Object.keys(denied.manifest.capabilities)).toEqual(['kernel', 'vfs']);
    expect(denied.manifest.denied).toEqual(['fs', 'proc']);
    expect(r.manifest.hostImports.some((n) => n.startsWith('path_'))).toBe(false);
    expect(denied.manifest.hostImports.some((n) => n.startsWith('args_'))).toBe(false);
  });

  it('COPY follows Docker\'s destination rules and globs', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'a.txt': 'a', 'b.txt': 'b', 'c.md': 'c', 'dir/x': 'x',
      Dockerfile: [
        'FROM scratch', 'COPY fsop.wasm /fsop', 'COPY a.txt /file-named', 'COPY a.txt /into/', 'COPY *.txt /glob/',
        'WORKDIR /w', 'COPY c.md rel/', 'COPY dir /contents', 'COPY --chmod=600 --chown=1000:1000 b.txt /secret', 'ENTRYPOINT ["/fsop"]',
      ].join('\n'),
    });
    const r = await buildIn(ctx);
    const img = image(r.bytes);
    expect(img.get('/file-named')?.type).toBe('file');
    expect(text(img.get('/into/a.txt'))).toBe('a');
    expect([...img.keys()].filter((p) => p.startsWith('/glob/'))).toEqual(['/glob/a.txt', '/glob/b.txt']);
    expect(text(img.get('/w/rel/c.md'))).toBe('c');
    expect(text(img.get('/contents/x'))).toBe('x');
    expect(img.has('/contents/dir')).toBe(false);
    expect(img.get('/secret')?.mode).toBe(0o600);
    expect(img.get('/glob/a.txt')?.mtime).toBe(1_700_000_000n * 1_000_000_000n);
    expect(r.layers.find((l) => l.instruction.includes('/secret'))?.chown).toBe('1000:1000');
  });

  it('several sources need a destination directory', async () => {
    const ctx = makeContext({ 'a.txt': 'a', 'b.txt': 'b', Dockerfile: 'FROM scratch\nCOPY a.txt b.txt /dest\n' });
    const e = await failure(ctx);
    expect(e.message).toMatch(/^Dockerfile:2: copying 2 sources needs a destination directory ending in "\/"/);
    expect(e.exitCode).toBe(2);
  });

  it('ARG with defaults, --build-arg, scoping and substitution in COPY, ENV, LABEL, USER, WORKDIR', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'v2.txt': '2',
      Dockerfile: [
        'ARG VERSION=1', 'FROM scratch', 'ARG VERSION', 'ARG WHO=nobody', 'ARG UNSET', 'ENV V=$VERSION W=${UNSET:-fallback}',
        'LABEL org.version=$VERSION "quoted label"="x y"', 'USER ${WHO}', 'WORKDIR /app/v$VERSION', 'COPY v${VERSION}.txt .',
        'COPY fsop.wasm /fsop', 'ENTRYPOINT ["/fsop"]',
      ].join('\n'),
    });
    const r = await buildIn(ctx, { buildArgs: { VERSION: '2', WHO: 'builder' } });
    expect(r.manifest.env).toEqual(['V=2', 'W=fallback']);
    expect(r.manifest.build?.labels).toEqual({ 'org.version': '2', 'quoted label': 'x y' });
    expect(r.manifest.build?.user).toBe('builder');
    expect(r.manifest.workdir).toBe('/app/v2');
    expect(text(image(r.bytes).get('/app/v2/v2.txt'))).toBe('2');
    // ARG values are not baked into the box's environment
    expect(r.manifest.env.some((e) => e.startsWith('VERSION='))).toBe(false);
  });

  it('VOLUME becomes a mount point; STOPSIGNAL and SHELL are recorded', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nVOLUME ["/data", "/cache"]\nVOLUME /logs\nSTOPSIGNAL SIGINT\nSHELL ["/bin/ash", "-c"]\nENTRYPOINT ["/fsop"]\n' });
    const r = await buildIn(ctx);
    expect(r.manifest.mountPoints).toEqual(['/data', '/cache', '/logs']);
    expect(r.manifest.build?.volumes).toEqual(['/data', '/cache', '/logs']);
    expect(r.manifest.build?.stopSignal).toBe('SIGINT');
    expect(r.manifest.build?.shell).toEqual(['/bin/ash', '-c']);
  });

  it('EXPOSE without a net capability fails clearly; with one it is recorded and listened on', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nEXPOSE 8080 9090/tcp\nENTRYPOINT ["/fsop"]\n' });
    const e = await failure(ctx);
    expect(e.message).toBe('Dockerfile:3: EXPOSE needs the net capability, which this build does not have');
    let seen: unknown;
    const net: CapabilityDescriptor = { name: 'net', version: '0.0.0', wasm: fakeNet, provides: [], support: {}, impliedBy: { options: ['net', 'listen'] }, config: (s) => {
      seen = (s as { listen?: unknown }).listen;
      return [];
    } };
    const r = await buildIn(ctx, { capabilities: [...CAPS, net] });
    expect(r.manifest.build?.exposed).toEqual(['8080/tcp', '9090/tcp']);
    expect(r.manifest.capabilities.net).toBeDefined();
    expect(r.manifest.ports).toEqual([8080, 9090]);
    expect(seen).toEqual([8080, 9090]);
    expect(await failure(ctx, { capabilities: [...CAPS, net], deny: ['net'] })).toHaveProperty('message', 'Dockerfile:3: EXPOSE needs the net capability, which this build does not have (--deny net)');
  });

  it('shell-form ENTRYPOINT and RUN need a shell in the image', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nRUN /fsop write /x y\n' });
    expect((await failure(ctx)).message).toMatch(/^Dockerfile:3: RUN in shell form needs \/bin\/sh \(a WASI shell\) in the image/);
    const ctx2 = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nENTRYPOINT /fsop args\n' });
    const e2 = await failure(ctx2);
    expect(e2.message).toBe('Dockerfile:3: ENTRYPOINT in shell form needs /bin/sh (a WASI shell) in the image; use the exec form, such as ENTRYPOINT ["/fsop", "args"]');
    expect(e2.exitCode).toBe(2);
    // CMD's shell form names CMD and its line; an exec-form program that is missing names its line too
    const cmd = makeContext({ Dockerfile: 'FROM scratch\nCMD /bin/kv list\n\n' });
    expect((await failure(cmd)).message).toBe('Dockerfile:2: CMD in shell form needs /bin/sh (a WASI shell) in the image; use the exec form, such as CMD ["/bin/kv", "list"]');
    const exec = makeContext({ Dockerfile: 'FROM scratch\nENTRYPOINT ["/bin/kv"]\n' });
    expect((await failure(exec)).message).toBe('Dockerfile:2: ENTRYPOINT: the entrypoint /bin/kv is not a file in the image');
    // with a "shell" in the image, the shell form runs it with -c
    const ctx3 = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/sh\nCMD args\n' });
    const r = await buildIn(ctx3);
    expect(r.manifest.entrypoint).toBe('/bin/sh');
    expect(r.manifest.args).toEqual(['-c', 'args']);
  });

  it.each(['HEALTHCHECK CMD ["/x"]', 'ONBUILD RUN ["/x"]', 'FROBNICATE x'])('refuses %s with file:line and exit 2', async (line) => {
    const ctx = makeContext({ Dockerfile: `FROM scratch\n\n${line}\n` });
    const e = await failure(ctx);
    expect(e.message).toMatch(new RegExp(`^Dockerfile:3: unsupported instruction ${line.split(' ')[0]}`));
    expect(e.exitCode).toBe(2);
  });
});

describe('box build: RUN', () => {
  it('commits the program\'s changes, deletions included, as a layer', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'data/gone.txt': 'bye', 'data/kept.txt': 'k',
      Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY data /data\nARG MSG=made\nRUN ["/bin/fsop", "write", "/data/new.txt", "by RUN", "rm", "/data/gone.txt", "mkdir", "/made"]\nENTRYPOINT ["/bin/fsop"]\n',
    });
    const r = await buildIn(ctx);
    const img = image(r.bytes);
    expect(text(img.get('/data/new.txt'))).toBe('by RUN');
    expect(img.has('/data/gone.txt')).toBe(false);
    expect(text(img.get('/data/kept.txt'))).toBe('k');
    expect(img.get('/made')?.type).toBe('dir');
    const run = r.layers.find((l) => l.instruction.startsWith('RUN'))!;
    expect(run.line).toBe(5);
  });

  it('passes ENV and ARG to the program and fails the build with exit 1 when it fails', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP,
      Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nENV A=1\nARG B=2\nRUN ["/fsop", "exit", "3"]\n',
    });
    const e = await failure(ctx);
    expect(e.message).toBe('Dockerfile:5: RUN ["/fsop", "exit", "3"] exited with 3');
    expect(e.exitCode).toBe(1);
  });

  it('refuses a RUN whose program is not in the image', async () => {
    const ctx = makeContext({ Dockerfile: 'FROM scratch\nRUN ["/nope"]\n' });
    expect((await failure(ctx)).message).toMatch(/^Dockerfile:2: RUN \["\/nope"\]: \/nope is not a file in the image/);
  });
});

describe('box build: stages and bases', () => {
  it('multi-stage: COPY --from a named stage, by index, and FROM an earlier stage', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'src.txt': 'source',
      Dockerfile: [
        'FROM scratch AS tools', 'COPY fsop.wasm /bin/fsop', 'COPY src.txt /src/',
        'RUN ["/bin/fsop", "write", "/out/artifact", "built"]',
        'FROM tools AS derived', 'ENV STAGE=derived',
        'FROM scratch', 'COPY --from=tools /out/artifact /artifact', 'COPY --from=0 /bin/fsop /bin/', 'COPY --from=derived /src/src.txt /',
        'ENTRYPOINT ["/bin/fsop"]',
      ].join('\n'),
    });
    // /out does not exist before RUN: the program cannot create it (no mkdir -p), so make it first
    const ok = makeContext({
      'fsop.wasm': FSOP, 'src.txt': 'source',
      Dockerfile: [
        'FROM scratch AS tools', 'COPY fsop.wasm /bin/fsop', 'COPY src.txt /src/',
        'RUN ["/bin/fsop", "mkdir", "/out", "write", "/out/artifact", "built"]',
        'FROM tools AS derived', 'ENV STAGE=derived',
        'FROM scratch', 'COPY --from=tools /out/artifact /artifact', 'COPY --from=0 /bin/fsop /bin/', 'COPY --from=derived /src/src.txt /',
        'ENTRYPOINT ["/bin/fsop"]',
      ].join('\n'),
    });
    expect((await failure(ctx)).exitCode).toBe(1);
    const r = await buildIn(ok);
    const img = image(r.bytes);
    expect(text(img.get('/artifact'))).toBe('built');
    expect(text(img.get('/src.txt'))).toBe('source');
    expect(r.manifest.entrypoint).toBe('/bin/fsop');
    expect(r.manifest.env).toEqual([]);
    expect((await failure(makeContext({ Dockerfile: 'FROM scratch\nCOPY --from=nope /x /y\n' }))).message).toMatch(/^Dockerfile:2: --from=nope: no earlier stage/);
  });

  it('COPY --from of a file that is elsewhere in the stage names where it is (issue 18, point 6)', async () => {
    // The stage's program put kv.db at / (as a relative write does when the program runs from /), not in the WORKDIR
    const ctx = makeContext({
      'fsop.wasm': FSOP,
      Dockerfile: [
        'FROM scratch AS gen', 'COPY fsop.wasm /bin/fsop', 'WORKDIR /app', 'RUN ["/bin/fsop", "write", "/kv.db", "data"]',
        'FROM scratch', 'COPY --from=gen /app/kv.db /kv.db', 'COPY --from=gen /app/none.db /none.db',
      ].join('\n'),
    });
    const e = await failure(ctx);
    expect(e.message).toBe('Dockerfile:6: /app/kv.db: not found in stage gen (it has /kv.db: if its program wrote a relative path, that is where it went)');
    expect(e.exitCode).toBe(2);
    // no same-named file anywhere: the plain message
    const none = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch AS gen\nCOPY fsop.wasm /bin/fsop\nFROM scratch\nCOPY --from=gen /app/none.db /x\n' });
    expect((await failure(none)).message).toBe('Dockerfile:4: /app/none.db: not found in stage gen');
  });

  it('FROM a portable box: its image, config and program are the starting point', async () => {
    const baseCtx = makeContext({ 'fsop.wasm': FSOP, 'etc/base.conf': 'base', Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY etc /etc\nENV FROM_BASE=yes\nLABEL tier=base\nENTRYPOINT ["/bin/fsop"]\nCMD ["cat", "/etc/base.conf"]\n' });
    const base = await buildIn(baseCtx);
    // the same box, linked --portable
    const parts = readBaseBox(base.bytes, 'base.box.wasm');
    const portable = link(FSOP, {
      capabilities: CAPS.filter((c) => ['kernel', 'vfs', 'proc'].includes(c.name)), entrypoint: '/bin/fsop', args: base.manifest.args, env: base.manifest.env,
      image: parts.image, portable: true, build: base.manifest.build!,
    });
    const ctx = makeContext({ 'more.txt': 'more', Dockerfile: 'FROM base.box.wasm\nCOPY more.txt /etc/\nCMD ["cat", "/etc/more.txt", "env", "FROM_BASE"]\n' });
    writeFileSync(join(ctx, 'base.box.wasm'), portable.bytes);
    const r = await buildIn(ctx);
    expect(r.manifest.entrypoint).toBe('/bin/fsop');
    expect(r.manifest.build?.labels).toEqual({ tier: 'base' });
    expect(r.manifest.build?.layers.map((l) => l.instruction)).toEqual(['COPY fsop.wasm /bin/fsop', 'COPY etc /etc', 'COPY more.txt /etc/']);
    const run = await runCaptured(r.bytes);
    expect(run.stdout).toBe('moreFROM_BASE=yes\n');
    // a non-portable base cannot give its program back
    writeFileSync(join(ctx, 'base.box.wasm'), base.bytes);
    expect((await failure(ctx)).message).toMatch(/the entrypoint \/bin\/fsop is not a file in the image \(a base box that is not --portable/);
    // … unless the Dockerfile names a program that is in the image
    const withTool = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY fsop.wasm /bin/tool\nENTRYPOINT ["/bin/fsop"]\n' });
    const toolBase = await buildIn(withTool);
    const child = makeContext({ Dockerfile: 'FROM base.box.wasm\nENTRYPOINT ["/bin/tool"]\nCMD ["args"]\n' });
    writeFileSync(join(child, 'base.box.wasm'), toolBase.bytes);
    const c = await buildIn(child);
    expect(c.manifest.entrypoint).toBe('/bin/tool');
    expect((await runCaptured(c.bytes)).stdout).toBe('argv[0]=/bin/tool\nargv[1]=args\n');
    // a damaged base whose manifest places its image on segments it does not have: bad input, not a crash (found by the CLI fuzzer)
    const damaged: Module = readModule(toolBase.bytes);
    const section = damaged.customs.find((x) => x.name === 'box')!;
    const manifest = JSON.parse(new TextDecoder().decode(section.bytes));
    manifest.configs.vfs.first += 1000;
    section.bytes = new TextEncoder().encode(JSON.stringify(manifest));
    writeFileSync(join(child, 'base.box.wasm'), writeModule(damaged));
    const refused = await failure(child);
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toMatch(/^Dockerfile:1: FROM base\.box\.wasm: /);
  });

  it('FROM reads a base box only from inside the build context (issue 16, finding 11)', async () => {
    const baseCtx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY fsop.wasm /bin/tool\nENTRYPOINT ["/bin/fsop"]\n' });
    const base = (await buildIn(baseCtx)).bytes;
    // a canary box outside the context: no form of FROM may read it
    const outside = scratchDir('outside-base-');
    writeFileSync(join(outside, 'canary.box.wasm'), base);
    const canary = join(outside, 'canary.box.wasm');
    const ctx = makeContext({
      'in/ok.box.wasm': base,
      'link.box.wasm': { symlink: canary },
      'dirlink': { symlink: outside },
      'inner.box.wasm': { symlink: 'in/ok.box.wasm' },
    });
    const from = async (line: string, buildArgs: Record<string, string> = {}) => {
      writeFileSync(join(ctx, 'Dockerfile'), `ARG BASE\n${line}\nENTRYPOINT ["/bin/tool"]\n`);
      return buildIn(ctx, { buildArgs });
    };
    const refused = async (line: string, message: RegExp, buildArgs: Record<string, string> = {}) => {
      const e = await from(line, buildArgs).then(() => undefined, (x: unknown) => x);
      expect(e, line).toBeInstanceOf(BuildError);
      expect((e as BuildError).exitCode).toBe(2);
      expect((e as BuildError).message).toMatch(message);
    };
    await refused(`FROM ${canary}`, /^Dockerfile:2: FROM \/.*canary\.box\.wasm: a base box must be in the build context \(give its path relative to it\)$/);
    await refused(`FROM ../${outside.split('/').at(-1)}/canary.box.wasm`, /^Dockerfile:2: FROM \.\.\/.*: path escapes the build context$/);
    await refused('FROM in/../../x.box.wasm', /path escapes the build context$/);
    await refused('FROM $BASE', /^Dockerfile:2: FROM \/.*canary\.box\.wasm: a base box must be in the build context/, { BASE: canary });
    await refused('FROM $BASE', /path escapes the build context$/, { BASE: `../${outside.split('/').at(-1)}/canary.box.wasm` });
    await refused('FROM link.box.wasm', /^Dockerfile:2: FROM link\.box\.wasm: a symlink on its path points out of the build context$/);
    await refused('FROM dirlink/canary.box.wasm', /^Dockerfile:2: FROM dirlink\/canary\.box\.wasm: a symlink on its path points out of the build context$/);
    await refused('FROM missing.box.wasm', /^Dockerfile:2: FROM missing\.box\.wasm: not scratch, an earlier stage, or a \.box\.wasm file, oci-archive:FILE or oci:DIR in the build context$/);
    await refused('FROM in', /not scratch, an earlier stage, or a \.box\.wasm file/);
    // inside the context, through a symlink that stays in it, or named by a build argument: read
    expect((await from('FROM in/ok.box.wasm')).manifest.build?.from).toMatch(/^ok\.box\.wasm sha256:/);
    expect((await from('FROM ./in/../inner.box.wasm')).manifest.build?.from).toMatch(/^inner\.box\.wasm sha256:/);
    expect((await from('FROM $BASE', { BASE: 'in/ok.box.wasm' })).manifest.build?.from).toMatch(/^ok\.box\.wasm sha256:/);
  });

  it('refuses a --build-arg holding a NUL (found by the CLI fuzzer)', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, Dockerfile: 'FROM scratch\nARG A\nCOPY fsop.wasm /fsop\nENTRYPOINT ["/fsop"]\n' });
    expect((await failure(ctx, { buildArgs: { A: 'x\0y' } })).message).toBe('--build-arg A: a NUL character is not allowed');
  });
});

describe('box build: context', () => {
  it('honours .dockerignore, with ! exceptions', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'keep/a.txt': 'a', 'keep/b.log': 'b', 'secret/key': 'k', 'secret/public.pem': 'p',
      '.dockerignore': '*/*.log\nsecret\n!secret/public.pem\n',
      Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nCOPY . /ctx\nENTRYPOINT ["/fsop"]\n',
    });
    const img = image((await buildIn(ctx)).bytes);
    expect(img.has('/ctx/keep/a.txt')).toBe(true);
    expect(img.has('/ctx/keep/b.log')).toBe(false);
    expect(img.has('/ctx/secret/key')).toBe(false);
    expect(img.has('/ctx/secret/public.pem')).toBe(true);
    const e = await failure(makeContext({ 'a.log': 'x', '.dockerignore': '*.log', Dockerfile: 'FROM scratch\nCOPY a.log /\n' }));
    expect(e.message).toMatch(/^Dockerfile:2: a\.log: not found in the build context \(or excluded by \.dockerignore\)/);
  });

  it('refuses a missing file, a path escaping the context and a link out of it', async () => {
    const outside = scratchDir('outside-');
    writeFileSync(join(outside, 'secret'), 's');
    const missing = await failure(makeContext({ Dockerfile: 'FROM scratch\nCOPY nope.txt /\n' }));
    expect(missing.message).toMatch(/^Dockerfile:2: nope\.txt: not found in the build context/);
    expect(missing.exitCode).toBe(2);
    expect((await failure(makeContext({ Dockerfile: 'FROM scratch\nCOPY ../x /\n' }))).message).toBe('Dockerfile:2: ../x: path escapes the build context');
    const link = await failure(makeContext({ 'l': { symlink: join(outside, 'secret') }, Dockerfile: 'FROM scratch\nCOPY l /\n' }));
    expect(link.message).toMatch(/^Dockerfile:2: l: symlink to .* points out of the build context/);
    const rel = await failure(makeContext({ 'l': { symlink: '../../x' }, Dockerfile: 'FROM scratch\nCOPY l /\n' }));
    expect(rel.message).toMatch(/points out of the build context/);
    expect((await failure(makeContext({ Dockerfile: 'FROM scratch\nADD https://example.com/x.tar /\n' }))).message).toMatch(/remote sources are not supported/);
  });

  it('ADD unpacks a local tar (plain or gzip); COPY does not', async () => {
    const tar = snapshotToTar([
      { path: '/pkg', type: 'dir', mode: 0o755, mtime: 0n },
      { path: '/pkg/readme', type: 'file', data: new TextEncoder().encode('R'), mode: 0o644, mtime: 0n },
      { path: '/pkg/link', type: 'symlink', target: 'readme', mode: 0o777, mtime: 0n },
    ]);
    const ctx = makeContext({ 'fsop.wasm': FSOP, 'a.tar': tar, 'b.tar.gz': gzipSync(tar), Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nADD a.tar /opt/\nADD b.tar.gz /gz\nCOPY a.tar /raw.tar\nENTRYPOINT ["/fsop"]\n' });
    const img = image((await buildIn(ctx)).bytes);
    expect(text(img.get('/opt/pkg/readme'))).toBe('R');
    expect(img.get('/opt/pkg/link')?.target).toBe('readme');
    expect(text(img.get('/gz/pkg/readme'))).toBe('R');
    expect(img.get('/raw.tar')?.data?.length).toBe(tar.length);
  });

  it.each([
    ['a .. entry', [{ path: '/../evil', type: 'file', data: new Uint8Array(1) }], /tar entry escapes the archive root/],
    ['an absolute path', [{ path: '//etc/evil', type: 'file', data: new Uint8Array(1) }], /tar entry has an absolute path/],
    ['a symlink out of the tree', [{ path: '/up', type: 'symlink', target: '../../etc' }], /tar symlink up points out of the archive/],
    // was an internal error at the final link (issue 16, finding 12)
    ['an entry under a symlink', [{ path: '/a', type: 'symlink', target: '/etc' }, { path: '/a/passwd', type: 'file', data: new Uint8Array(1) }], /tar entry a\/passwd lies under a, which the archive made a symlink$/],
    ['an entry under a file', [{ path: '/f', type: 'file', data: new Uint8Array(1) }, { path: '/f/g', type: 'file', data: new Uint8Array(1) }], /tar entry f\/g lies under f, which the archive made a file$/],
  ] as Array<[string, ImageEntry[], RegExp]>)('ADD refuses a tar with %s and writes nothing', async (_what, entries, pattern) => {
    const ctx = makeContext({ 'evil.tar': snapshotToTar(entries), Dockerfile: 'FROM scratch\nADD evil.tar /x/\n' });
    const before = readdirSync(ctx).sort();
    const e = await failure(ctx);
    expect(e.message).toMatch(/^Dockerfile:2: ADD evil\.tar: /);
    expect(e.message).toMatch(pattern);
    expect(readdirSync(ctx).sort()).toEqual(before);
    expect(existsSync(join(ctx, '..', 'evil'))).toBe(false);
    expect(existsSync('/etc/evil')).toBe(false);
  });

  it('ADD refuses an archive entry that would land under a symlink the image already has (was an internal error at the final link)', async () => {
    const link = snapshotToTar([{ path: '/a', type: 'symlink', target: '/etc', mode: 0o777, mtime: 0n }]);
    const under = snapshotToTar([{ path: '/a/passwd', type: 'file', data: new Uint8Array(1), mode: 0o644, mtime: 0n }]);
    const ctx = makeContext({ 'fsop.wasm': FSOP, 'l.tar': link, 'p.tar': under, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nADD l.tar /x/\nADD p.tar /x/\nENTRYPOINT ["/fsop"]\n' });
    const e = await failure(ctx);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('Dockerfile:4: /x/a/passwd would lie under /x/a, a symlink in the image');
  });
});

describe('box build: ADD size limit (issue 16, finding 8)', () => {
  const mib = (n: number) => new Uint8Array(n * 1024 * 1024);
  const tarOf = (size: number) => snapshotToTar([{ path: '/big', type: 'file', data: mib(size), mode: 0o644, mtime: 0n }]);

  it('refuses a gzip archive that unpacks past --max-unpack, and writes nothing', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, 'big.tar.gz': gzipSync(tarOf(3)), Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nADD big.tar.gz /x/\nENTRYPOINT ["/fsop"]\n' });
    const before = readdirSync(ctx).sort();
    const e = await failure(ctx, { maxUnpack: 2 * 1024 * 1024 });
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('Dockerfile:3: ADD big.tar.gz: it unpacks to more than 2.0 MiB, the limit (box build --max-unpack raises it)');
    expect(readdirSync(ctx).sort()).toEqual(before);
    // raised, the same archive is unpacked
    const img = image((await buildIn(ctx, { maxUnpack: 4 * 1024 * 1024 })).bytes);
    expect(img.get('/x/big')?.data?.length).toBe(3 * 1024 * 1024);
  });

  it('is one limit for the whole build: repeating an ADD does not multiply it', async () => {
    const ctx = makeContext({ 'fsop.wasm': FSOP, 'big.tar.gz': gzipSync(tarOf(3)), Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nADD big.tar.gz /a/\nADD big.tar.gz /b/\nENTRYPOINT ["/fsop"]\n' });
    const e = await failure(ctx, { maxUnpack: 5 * 1024 * 1024 });
    expect(e.message).toMatch(/^Dockerfile:4: ADD big\.tar\.gz: it unpacks to more than the 2\.0 MiB left of the build's 5\.0 MiB limit \(box build --max-unpack raises it\)$/);
    expect(image((await buildIn(ctx, { maxUnpack: 7 * 1024 * 1024 })).bytes).get('/b/big')?.data?.length).toBe(3 * 1024 * 1024);
  });

  it('refuses a tar entry whose header claims more bytes than the archive holds, before copying any', async () => {
    const tar = tarOf(1);
    const header = tar.subarray(0, 512);
    header.set(new TextEncoder().encode('37777777777\0'), 124); // 4 GiB - 1
    header.set(new TextEncoder().encode('        '), 148);
    header.set(new TextEncoder().encode(`${header.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `), 148);
    const ctx = makeContext({ 'claims.tar.gz': gzipSync(tar), Dockerfile: 'FROM scratch\nADD claims.tar.gz /x/\n' });
    expect((await failure(ctx)).message).toBe('Dockerfile:2: ADD claims.tar.gz: tar archive is truncated at byte 0');
  });

  it('counts a plain tar against the limit too', async () => {
    const ctx = makeContext({ 'big.tar': tarOf(3), Dockerfile: 'FROM scratch\nADD big.tar /x/\n' });
    expect((await failure(ctx, { maxUnpack: 2 * 1024 * 1024 })).message).toMatch(/^Dockerfile:2: ADD big\.tar: it unpacks to more than 2\.0 MiB/);
  });

  it('copies a gzip file that holds no tar as it is, however much it would unpack to', async () => {
    const gz = gzipSync(mib(3));
    const ctx = makeContext({ 'fsop.wasm': FSOP, 'zeros.gz': gz, Dockerfile: 'FROM scratch\nCOPY fsop.wasm /fsop\nADD zeros.gz /z.gz\nENTRYPOINT ["/fsop"]\n' });
    const img = image((await buildIn(ctx, { maxUnpack: 1024 * 1024 })).bytes);
    expect(img.get('/z.gz')?.data?.length).toBe(gz.length);
  });
});

describe('box build: cache and reproducibility', () => {
  it('a second build reuses every layer and gives the same bytes; --no-cache too', async () => {
    const ctx = makeContext({
      'fsop.wasm': FSOP, 'a.txt': 'a',
      Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY a.txt /a.txt\nWORKDIR /w\nRUN ["/bin/fsop", "write", "/w/run.txt", "r"]\nENTRYPOINT ["/bin/fsop"]\n',
    });
    const cacheDir = scratchDir('box-cache-');
    const first = await buildIn(ctx, { cacheDir });
    expect(first.cached).toBe(false);
    const steps: string[] = [];
    const progress = { step: (_i: number, _n: number, t: string) => steps.push(t), cached: () => steps.push('CACHED'), done: () => steps.push('DONE'), note: () => {}, end: () => {} };
    const second = await buildIn(ctx, { cacheDir, progress });
    expect(second.cached).toBe(true);
    expect(steps.filter((s) => s === 'CACHED')).toHaveLength(4);
    expect(steps).not.toContain('DONE');
    expect(Buffer.compare(second.bytes, first.bytes)).toBe(0);
    const fresh = await buildIn(ctx, { cacheDir: null });
    expect(Buffer.compare(fresh.bytes, first.bytes)).toBe(0);
    // a changed context file is a new layer
    writeFileSync(join(ctx, 'a.txt'), 'changed');
    const third = await buildIn(ctx, { cacheDir });
    expect(third.cached).toBe(false);
    expect(third.layers[0]!.digest).toBe(first.layers[0]!.digest);
    expect(third.layers[1]!.digest).not.toBe(first.layers[1]!.digest);
  });
});
