// The audit log, for admins: every staff read of health data and every action.
import { consoleInput } from './input.ts';
import { consolePlugin, guards, type Permissions, recorder } from './plugin.ts';

const permissions = { 'audit:read': ['admin'] } as const satisfies Permissions;

export const auditConsole = consolePlugin({
  name: 'audit',
  permissions,
  routes: async (app, deps) => {
    const { allow } = guards(app, permissions);
    const record = recorder(deps.audit);
    app.get(
      '/console/api/audit',
      {
        preHandler: allow('audit:read'),
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              before: { type: 'string', pattern: '^\\d{1,19}$' },
              subject: { type: 'string', maxLength: 254 },
            },
          },
        },
      },
      async (request) => {
        const query = consoleInput.auditQuery(request.query);
        const entries = await deps.audit.list({ limit: 100, before: query.before, subjectId: query.subject });
        await record(request, 'audit.view', 'audit', '*');
        return { entries };
      },
    );
  },
});
