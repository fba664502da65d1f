/** The audiences route: a fixed list, as an account sees it (IDs are what `restrictedToAudiences` takes). */
import type { SandboxEnvironment } from './environment.js';
import { pageOf } from './paging.js';
import type { Route } from './router.js';

export interface Audience {
  id: string;
  name: string;
  description: string;
  audienceName: string;
}

export const AUDIENCES: readonly Audience[] = [
  {
    id: '7a7a8f8c-3c1e-4f2a-9b54-0f6f3c1d2e01',
    name: 'Windows Insider Program',
    description: 'Devices enrolled in the Windows Insider Program (any channel).',
    audienceName: 'WindowsInsiderProgram',
  },
  {
    id: '1d3f4b2c-8e6a-4c7d-a1f0-5b9e2c3d4e02',
    name: 'Windows Insider Dev Channel',
    description: 'Devices in the Windows Insider Dev Channel.',
    audienceName: 'WindowsInsiderDev',
  },
  {
    id: 'c2b1a0f9-7d6e-4a5b-8c3d-2e1f0a9b8c03',
    name: 'Windows Insider Beta Channel',
    description: 'Devices in the Windows Insider Beta Channel.',
    audienceName: 'WindowsInsiderBeta',
  },
  {
    id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c04',
    name: 'Managed Preview',
    description: 'Commercial devices enrolled in managed driver previews.',
    audienceName: 'ManagedPreview',
  },
];

export function isKnownAudience(id: string): boolean {
  return AUDIENCES.some((audience) => audience.id.toLowerCase() === id.toLowerCase());
}

export function audienceRoutes(environment: SandboxEnvironment): Route[] {
  // Both spellings are in the docs: `/audience` in the request table and example, `/audiences` everywhere else.
  return ['/audiences', '/audience'].map(
    (path): Route => ({
      method: 'GET',
      path,
      operationId: 'listAudiences',
      body: 'none',
      handle(context) {
        return { status: 200, json: pageOf(AUDIENCES, context.query, environment.pageSize, `${context.apiBase}/audiences`) };
      },
    }),
  );
}
