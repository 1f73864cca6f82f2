// Results other runtimes publish for the official suite: upstream's
// expectations/<runtime>/linux.toml at the commit of the suite we run
// (../shared/wasi-testsuite/README.md), which list the preview1 tests each
// runtime is expected not to pass ("skip"). Copied as facts, not measured here.

/** The suite: WebAssembly/wasi-testsuite, branch prod/testsuite-base. */
export const SUITE_COMMIT = '9f80ca35444cfd9e63100725615140a346652e6c';

/** Runtime -> the preview1 tests (language/name) its expectations skip. */
export const PUBLISHED: Record<string, readonly string[]> = {
  // expectations/wasmtime/linux.toml lists only wasm32-wasip3 tests.
  wasmtime: [],
  WAMR: ['assemblyscript/environ_get-multiple-variables', 'assemblyscript/environ_sizes_get-multiple-variables', 'rust/symlink_create'],
  wazero: [
    'c/pwrite-with-append', 'c/sock_shutdown-not_sock',
    'rust/dir_fd_op_failures', 'rust/fd_fdstat_set_rights', 'rust/overwrite_preopen', 'rust/path_filestat', 'rust/path_link',
    'rust/path_open_read_write', 'rust/poll_oneoff_stdio', 'rust/readlink', 'rust/renumber', 'rust/stdio', 'rust/symlink_filestat',
    'rust/truncation_rights',
  ],
};
