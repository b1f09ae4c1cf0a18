// `explain -f FILE [--output json]`: the decision trail for each document (Pod, workload, or
// AdmissionReview; YAML or JSON), in plain words. Exit status as `inject`: 0 allowed, 1 denied,
// 2 unusable input or an internal failure.
import type { Config } from '../config/config.js';
import { decide } from '../decide.js';
import { explainDecision, renderExplanation, type Explanation } from '../explain/trail.js';
import { documentPod } from '../workloads/document.js';
import { configFrom, fatal, type Values } from './args.js';
import { internalFailure, readDocuments } from './documents.js';
import type { InjectCommandIO } from './inject.js';

export function runExplain(file: string, json: boolean, config: Config, io: InjectCommandIO): number {
  const read = readDocuments(file);
  if (!read.ok) {
    io.stderr(`error: ${read.message}\n`);
    return 2;
  }
  const explanations: Explanation[] = [];
  let status = 0;
  for (const [i, doc] of read.docs.entries()) {
    const where = read.docs.length > 1 ? `document ${i + 1}: ` : '';
    const target = documentPod(doc);
    if (!target.ok) {
      io.stderr(`error: ${where}${target.error.message}\n`);
      return 2;
    }
    if (target.value.kind === 'none') {
      if (!json) io.stdout(`${where}${target.value.note}\n`);
      continue;
    }
    try {
      const review = target.value.review;
      const explanation = explainDecision(decide(review, config), review.request.object, config);
      explanations.push(explanation);
      if (!explanation.allowed) status = 1;
      if (!json) io.stdout(`${where}${renderExplanation(explanation)}`);
    } catch (error) {
      io.stderr(`error: ${where}${internalFailure('explaining', error)}`);
      return 2;
    }
  }
  if (json) io.stdout(`${JSON.stringify(explanations.length === 1 ? explanations[0] : explanations, null, 2)}\n`);
  return status;
}

export function explain(values: Values): void {
  if (values.file === undefined) fatal('explain needs -f FILE (or -f - for standard input)');
  const output = values.output;
  if (output !== undefined && output !== 'json' && output !== 'text') fatal('--output must be text or json');
  process.exitCode = runExplain(values.file, output === 'json', configFrom(values), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
