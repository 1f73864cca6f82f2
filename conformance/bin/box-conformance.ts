#!/usr/bin/env node
// box-conformance: `box conformance` when @marcotte/conformance is installed (runner/command.ts).
import { conformanceMain } from '../runner/command.ts';

process.exitCode = await conformanceMain(process.argv.slice(2));
