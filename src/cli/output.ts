/** Writing generated files from the CLI: see src/files/output.ts for the rules on output folders. */
export { checkOutputDir, claimWorkDir, stageOutputDir, writeOutputDir, writeOutputFile, type OutputFile, type OutputGuard } from '../files/output.ts';
