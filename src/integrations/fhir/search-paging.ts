// Paging links for the built-in hospital's searches. Its repository (medplum's in-memory one)
// honours `_count` and `_offset` but answers a searchset without the `next` link a FHIR server
// gives when there is more: clients (ours included) page by following `next`, as they must at a
// real hospital, so the link is added here. Relative to the FHIR base, so a client follows it
// to the same server with the same credentials.
import type { Resource } from '@medplum/fhirtypes';

/** Medplum's page size when a search gives no `_count`. */
const DEFAULT_COUNT = 20;

/** `body` with a `next` link when the search at `url` (e.g. "/Appointment?date=…") has more. */
export function withNextLink(url: string, body: Resource): Resource {
  if (body.resourceType !== 'Bundle' || body.type !== 'searchset') return body;
  if (body.link?.some((link) => link.relation === 'next') || body.total === undefined) return body;
  const [path = '', query = ''] = url.replace(/^\/+/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const offset = Number(params.get('_offset') ?? 0) || 0;
  const matches = (body.entry ?? []).filter((entry) => entry.search?.mode !== 'include').length;
  if (matches === 0 || offset + matches >= body.total) return body;
  if (!params.has('_count')) params.set('_count', String(DEFAULT_COUNT));
  params.set('_offset', String(offset + matches));
  return {
    ...body,
    link: [...(body.link ?? []), { relation: 'next', url: `${path}?${params.toString()}` }],
  };
}
