// The conformance runner as a library: `box conformance` calls runSuite and
// prints formatSummary.
export { runSuite, formatSummary, findTests, summarize, DEFAULT_TIMEOUT_MS, type SuiteOptions, type SuiteResult, type FolderSummary } from './runner/suite.ts';
export { runTest, prefixMismatch, type Mode, type Status, type TestResult } from './runner/run.ts';
export { readSpec, normalize, type TestSpec, type Step, type ParsedSpec } from './runner/spec.ts';
export { setChildCommand } from './runner/session.ts';
export { runJob, serveJobs } from './runner/child.ts';
export { rng } from './rng.ts';
