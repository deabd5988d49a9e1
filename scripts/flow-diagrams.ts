// `npm run flows:diagram`: writes docs/flows/<flow>.md for every flow.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flowGraph } from '../flows/registry.ts';
import { renderFlowDiagram } from '../src/conversation/flow-diagram.ts';

const dir = join(import.meta.dirname, '..', 'docs', 'flows');
await mkdir(dir, { recursive: true });
for (const graph of flowGraph()) {
  const file = join(dir, `${graph.flow}.md`);
  await writeFile(file, renderFlowDiagram(graph));
  console.log(`wrote ${file}`);
}
