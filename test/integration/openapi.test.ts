// The hospital API's OpenAPI document as a client gets it from /api/docs/json: valid OpenAPI 3.1
// (checked by a validator package, not by us), every /api/v1 route the server has and nothing
// else, each with the Bearer scheme, its refusals in the error catalogue's shape; and the page at
// /api/docs rendering it in Chromium under the strict Content-Security-Policy, nothing refused.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<
    string,
    { content?: Record<string, { schema: { properties?: object } }>; headers?: Record<string, object> }
  >;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
}

/** The public interface (docs PRODUCT.md): the hospital API's routes. */
const PUBLIC_ROUTES = [
  'GET /api/v1/queues/{department}',
  'POST /api/v1/queues/{department}/call-next',
  'POST /api/v1/broadcasts',
  'GET /api/v1/broadcasts/{id}',
  'POST /api/v1/broadcasts/{id}/cancel',
];

/** Every METHOD /path the server answers, from Fastify's route tree (HEAD is GET's twin). */
function serverRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return routes;
}

describe('the hospital API OpenAPI document and page', () => {
  let instance: TestInstance;
  let spec: Document;
  let raw: unknown;

  beforeAll(async () => {
    instance = await startTestInstance({ redis: false });
    const response = await fetch(`${instance.frontdoor.url}/api/docs/json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    raw = await response.json();
    spec = raw as Document;
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('is valid OpenAPI 3.1', async () => {
    expect(spec.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(raw as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every /api/v1 route the server has, and only those', () => {
    const documented = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = serverRoutes(instance.frontdoor.app.printRoutes({ commonPrefix: false }));
    // The parse found the server's other routes too (a wrong parse would find nothing to compare).
    expect(served).toEqual(expect.arrayContaining(['GET /healthz', 'POST /console/api/sign-in']));
    expect(documented.sort()).toEqual(served.filter((route) => route.includes(' /api/v1/')).sort());
    expect(documented.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('asks for the Bearer key and describes every refusal in the error shape', () => {
    expect(Object.values(spec.components.securitySchemes)).toEqual([
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    ]);
    const [scheme] = Object.keys(spec.components.securitySchemes);
    for (const [path, operations] of Object.entries(spec.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method} ${path}`;
        expect(operation.operationId, where).toBeTruthy();
        expect(operation.security, where).toEqual([{ [scheme!]: [] }]);
        const statuses = Object.keys(operation.responses);
        expect(statuses, where).toEqual(expect.arrayContaining(['401', '403', '429']));
        expect(
          statuses.some((status) => status.startsWith('2')),
          where,
        ).toBe(true);
        expect(Object.keys(operation.responses['429']!.headers ?? {}), where).toEqual(['Retry-After']);
        for (const status of statuses.filter((s) => Number(s) >= 400))
          expect(
            operation.responses[status]!.content!['application/json']!.schema,
            `${where} ${status}`,
          ).toMatchObject({
            required: ['error', 'message'],
          });
      }
    const send = spec.paths['/api/v1/broadcasts']!.post!;
    expect(Object.keys(send.responses)).toEqual(expect.arrayContaining(['200', '202', '400']));
    // The audience's kind picks its schema, for client generators as for the server's check.
    const body = (send as { requestBody?: { content: Record<string, { schema: { properties: object } }> } })
      .requestBody!.content['application/json']!.schema;
    expect(body.properties).toMatchObject({
      audience: { discriminator: { propertyName: 'kind' }, oneOf: expect.any(Array) as unknown },
    });
    for (const route of ['/api/v1/broadcasts/{id}', '/api/v1/queues/{department}'])
      expect(Object.keys(spec.paths[route]!.get!.responses)).toContain('404');
  });

  it(
    'renders the page in Chromium with nothing refused by the page policy',
    { timeout: 60_000 },
    async () => {
      const response = await fetch(`${instance.frontdoor.url}/api/docs`);
      expect(response.status).toBe(200);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toContain('unsafe-inline');

      let browser: Browser | undefined;
      try {
        browser = await launchBrowser();
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const refused: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') refused.push(message.text());
        });
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (event) =>
            console.error(`CSP ${event.violatedDirective} ${event.blockedURI}`),
          );
        });
        await page.goto(`${instance.frontdoor.url}/api/docs`);
        await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
        await expect.poll(() => page.locator('.opblock').count()).toBe(PUBLIC_ROUTES.length);
        expect(await page.locator('.info .title').innerText()).toContain('Frontdoor hospital API');
        // Opening an operation shows its body, its answers and their schemas: still nothing refused.
        await page.locator('#operations-broadcasts-sendBroadcast .opblock-summary').click();
        await page.locator('#operations-broadcasts-sendBroadcast .responses-table').first().waitFor();
        expect(await page.locator('#operations-broadcasts-sendBroadcast').innerText()).toContain('429');
        await page.screenshot({ path: `${screenshotDir}/api-docs.png`, fullPage: true });
        expect(refused).toEqual([]);
      } finally {
        await browser?.close();
      }
    },
  );
});
