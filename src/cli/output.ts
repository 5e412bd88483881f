/** Writing generated files from the CLI: see src/files/output.ts for the rules on output folders. */
import { relative, resolve } from 'node:path';

export { checkOutputDir, claimWorkDir, stageOutputDir, writeOutputDir, writeOutputFile, type OutputFile, type OutputGuard } from '../files/output.ts';

/** A path for messages: relative to the current folder when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? resolve(path) : rel || '.';
}
