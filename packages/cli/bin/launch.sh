# Sourced by bin/box and bin/box-link with $script and $self (the path of the
# launcher, symlinks resolved) set: runs bin/$script on
# the pinned Node (node_modules/node/bin/node, the binary itself, found from
# here up) as this very process. pnpm's node_modules/.bin/node is a shell
# script that runs that binary as its child: a signal sent to the process the
# user started stopped at the shell, and the box ran on. Node reads
# --env-file anywhere in its arguments, even after the script: the `--`
# before the script keeps the program's arguments from Node. Only shell
# builtins here: dirname and readlink were 7 processes started before Node,
# 60 ms of CPU and up to 200 ms on a loaded 2-core machine.
here=${self%/*}
case $here in /*) ;; *) here=$PWD/$here ;; esac
dir=$here
node=node
while :; do
  if [ -f "$dir/node_modules/node/bin/node" ] && [ -x "$dir/node_modules/node/bin/node" ]; then
    node=$dir/node_modules/node/bin/node
    break
  fi
  [ -z "$dir" ] && break
  dir=${dir%/*}
done
# box-link reads a large module whose records all live until the box is
# written: a small young generation promotes them at once instead of copying
# them between semi-spaces that grow to 16 MiB each, and touches less fresh
# memory (6,000 fewer page faults and ~15% less CPU on Yosys: bench/README.md).
# Its large buffers (the program read, the box written: malloc'd, so mmap'd by
# glibc) are first touched page by page; glibc's hugetlb tunable advises those
# mappings for transparent huge pages, one fault per 2 MiB where the kernel's
# THP mode is `madvise` (Yosys: 1.13 -> 0.78 s of CPU, 1.1 -> 0.8 s wall,
# medians of 9 at load 4 on a 2-core PVM guest; the same bytes). A glibc
# without the tunable, or another libc, ignores it.
flags=
if [ "$script" = box-link.js ]; then
  flags=--max-semi-space-size=2
  GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1
  export GLIBC_TUNABLES
fi
exec "$node" $flags -- "$here/$script" "$@"
