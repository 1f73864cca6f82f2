// The names a single-memory box exports for box run --memory (runtime memory-budget.ts), in a
// file of their own: the runtime reads them without evaluating the single-memory rewrite.

/**
 * Each region's limit in pages, a mutable global exported as box.<name>.limit
 * (the program's region is "app", exported as memory): box run --memory lowers it.
 */
export const SINGLE_MEMORY_LIMIT_EXPORT = 'box.app.limit';
/** Each region's current pages, as its memory.size answers, exported as box.<name>.pages. */
export const SINGLE_MEMORY_PAGES_EXPORT = 'box.app.pages';
