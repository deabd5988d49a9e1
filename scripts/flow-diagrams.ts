// `npm run flows:diagram`: writes docs/flows/<flow>.md for every flow, and docs/triage.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flowRegistry } from '../src/features/index.ts';
import { renderFlowDiagram } from '../src/conversation/flow-diagram.ts';
import { renderTriageDocument } from '../src/domain/triage-document.ts';
import { createTranslator } from '../src/i18n/locales.ts';

const dir = join(import.meta.dirname, '..', 'docs', 'flows');
await mkdir(dir, { recursive: true });
for (const graph of flowRegistry.graph()) {
  const file = join(dir, `${graph.flow}.md`);
  await writeFile(file, renderFlowDiagram(graph));
  console.log(`wrote ${file}`);
}

const triage = join(import.meta.dirname, '..', 'docs', 'triage.md');
const english = (await createTranslator()).getFixedT('en', 'triage');
await writeFile(
  triage,
  renderTriageDocument((key) => english(key)),
);
console.log(`wrote ${triage}`);
