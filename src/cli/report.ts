/** Human-readable verification report. */
import type { VerifyReport } from '../verify/verify.ts';

function exact(c: { equal: number; total: number }): string {
  return `${c.equal}/${c.total} bit-exact${c.equal === c.total ? '' : '  <-- MISMATCH'}`;
}

export function formatReport(r: VerifyReport, dataPath: string): string {
  const lines = [`bnnc verify: ${r.model} on ${r.target}, ${r.samples} samples from ${dataPath}`];
  lines.push(`  emulator vs host C (strict -Werror)   ${exact(r.bitExact.host)}`);
  if (r.bitExact.hostSanitized) lines.push(`  emulator vs host C (ASan + UBSan)     ${exact(r.bitExact.hostSanitized)}`);
  if (r.bitExact.qemu) lines.push(`  emulator vs ${`${r.target} C under QEMU`.padEnd(28)}${exact(r.bitExact.qemu)}`);
  if (r.firstMismatch) lines.push(`  first difference: ${r.firstMismatch}`);
  const ref = r.reference;
  if (ref) {
    const d = ref.divergence;
    lines.push(`  emulator vs float reference (${ref.engine}${ref.engineNote ? `: ${ref.engineNote}` : ''})`);
    lines.push(`    binary activations  ${ref.activations.equal}/${ref.activations.total} equal (compared up to each sample's first difference)`);
    lines.push(`    argmax              ${ref.argmaxEqual}/${ref.total} equal (${((100 * ref.argmaxEqual) / Math.max(1, ref.total)).toFixed(2)} %)`);
    lines.push(`    ties                ${ref.ties} samples: ${d.sign0} sign(0), ${d.boundary} accumulator at the threshold, ${ref.logitTies} near-equal logits`);
    if (ref.tiesPerLayer.length > 0) {
      lines.push(`    ties per layer      ${ref.tiesPerLayer.map((t) => `${t.layer} (${t.kind}): ${t.sign0} sign(0), ${t.boundary} at the threshold`).join('; ')}`);
    }
    if (ref.logitTies > 0) lines.push(`    logit bound         ${ref.logitBound} (near-equal logits: the reference's two logits differ by at most this)`);
    lines.push(`    unexplained         ${d.unexplained}${ref.firstUnexplained ? `  first: ${ref.firstUnexplained}` : ''}`);
  }
  if (r.accuracy !== null) lines.push(`  accuracy              ${(100 * r.accuracy).toFixed(2)} % (labels from the data)`);
  lines.push(`  self-test             digest ${r.selftest.digest} over ${r.selftest.vectors} embedded vectors`);
  if (r.instructionsPerInference !== null && r.instructionsPerLayer !== null) {
    lines.push(`  instructions          ${r.instructionsPerInference} per inference (QEMU -icount, ${r.target}, kernel ${r.kernel}); `
      + `per layer ${r.instructionsPerLayer.slice(0, -1).join(' + ')} + output ${r.instructionsPerLayer.at(-1)}`);
  }
  if (r.cycles) {
    lines.push(`  cycles                ${r.cycles.perInference} per inference${r.cycles.ms !== null ? ` = ${r.cycles.ms} ms at the target clock` : ''} `
      + `(${r.cycles.instructions} instructions of sample 0, ${r.target} timing model, docs/cycles.md)`);
  }
  lines.push(`  flash / RAM           ${r.flashBytes} / ${r.ramBytes} bytes (${r.target} objects: model + kernels, without self-test vectors)`);
  lines.push(r.ok ? 'PASS' : 'FAIL');
  return lines.join('\n');
}
