// The committed diagrams in docs/flows must match the flows; run `npm run flows:diagram`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowRegistry } from '../../src/features/index.ts';

const flowGraph = () => flowRegistry.graph();
import { renderFlowDiagram } from '../../src/conversation/flow-diagram.ts';
import { renderTriageDocument } from '../../src/domain/triage-document.ts';
import { createTranslator } from '../../src/i18n/locales.ts';

describe('flow diagrams', () => {
  it.each(flowGraph())('docs/flows/$flow.md is up to date', async (graph) => {
    const committed = await readFile(
      join(import.meta.dirname, '..', '..', 'docs', 'flows', `${graph.flow}.md`),
      'utf8',
    ).catch(() => '(missing)');
    expect(committed, 'run `npm run flows:diagram` and commit docs/flows').toBe(renderFlowDiagram(graph));
  });

  it('declares only steps that exist', () => {
    const known = new Set(flowGraph().flatMap((graph) => graph.steps.map((step) => step.name)));
    for (const graph of flowGraph()) {
      for (const step of graph.steps)
        for (const next of step.next) expect(known, `${step.name} → ${next}`).toContain(next);
    }
    expect(flowRegistry.flows.map((flow) => flow.name).sort()).toEqual(
      ['onboarding', 'menu', 'intake', 'booking', 'appointments', 'queue', 'system', 'notices'].sort(),
    );
  });

  it('docs/triage.md is up to date with the triage table', async () => {
    const english = (await createTranslator()).getFixedT('en', 'triage');
    const committed = await readFile(
      join(import.meta.dirname, '..', '..', 'docs', 'triage.md'),
      'utf8',
    ).catch(() => '(missing)');
    expect(committed, 'run `npm run flows:diagram` and commit docs/triage.md').toBe(
      renderTriageDocument((key) => english(key)),
    );
  });
});
