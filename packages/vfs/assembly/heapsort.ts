// In-place heapsort of i32s: O(n log n) at worst, no allocation, and a
// fraction of the code of Array#sort's merge sort (the vfs is in every box).

export function heapsort(a: Array<i32>, less: (x: i32, y: i32) => bool): void {
  const n = a.length;
  for (let i = (n >> 1) - 1; i >= 0; i--) sift(a, i, n, less);
  for (let end = n - 1; end > 0; end--) {
    const top = unchecked(a[0]);
    unchecked(a[0] = unchecked(a[end]));
    unchecked(a[end] = top);
    sift(a, 0, end, less);
  }
}

function sift(a: Array<i32>, i: i32, n: i32, less: (x: i32, y: i32) => bool): void {
  const v = unchecked(a[i]);
  while (true) {
    let c = (i << 1) + 1;
    if (c >= n) break;
    if (c + 1 < n && less(unchecked(a[c]), unchecked(a[c + 1]))) c++;
    if (!less(v, unchecked(a[c]))) break;
    unchecked(a[i] = unchecked(a[c]));
    i = c;
  }
  unchecked(a[i] = v);
}
