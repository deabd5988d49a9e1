// The staff list, for admins.
import { consolePlugin, guards, type Permissions } from './plugin.ts';

const permissions = { 'staff:read': ['admin'] } as const satisfies Permissions;

export const staffConsole = consolePlugin({
  name: 'staff',
  permissions,
  routes: async (app, deps) => {
    const { allow } = guards(app, permissions);
    app.get('/console/api/staff', { preHandler: allow('staff:read') }, async () => ({
      staff: await deps.accounts.list(),
    }));
  },
});
