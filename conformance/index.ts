// The conformance runner as a library (runSuite, formatSummary) and as the
// box-conformance command that `box conformance` dispatches to (runner/command.ts).
export { runSuite, formatSummary, findTests, summarize, DEFAULT_TIMEOUT_MS, type SuiteOptions, type SuiteResult, type FolderSummary } from './runner/suite.ts';
export { runTest, prefixMismatch, type Mode, type Status, type TestResult } from './runner/run.ts';
export { readSpec, normalize, type TestSpec, type Step, type ParsedSpec } from './runner/spec.ts';
export { conformanceMain, CONFORMANCE_HELP } from './runner/command.ts';
export { rng } from './rng.ts';
