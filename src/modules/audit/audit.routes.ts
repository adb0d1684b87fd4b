import type { HttpRoute } from '../../common/http-route';
import { badInput, DomainError, ErrorCode } from '../../common/errors';
import { Role } from '../../common/role';
import type { ModelVisibility } from '../../common/visibility';
import type { AuditService } from './audit.service';

const BATCH = 2000;

/**
 * GET /audit/export[?after=<seq>]: the audit trail as stored, one JSON event per line in sequence order,
 * streamed in batches: what `npm run audit:verify` checks offline against the signed checkpoints.
 */
export function auditRoutes(audit: AuditService, visibility: ModelVisibility): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/audit/export',
      role: Role.VIEWER,
      handle: async (_request, response, caller, url) => {
        // The export is the whole trail: where models are visible only to those granted them, only ADMINs read it.
        if (!visibility.seesEverything(caller)) {
          throw new DomainError(ErrorCode.FORBIDDEN, 'with MODELGRAPH_VISIBILITY=granted the whole trail is exported to ADMINs only', {
            requiredRole: Role.ADMIN,
          });
        }
        const after = url.searchParams.get('after') ?? '0';
        if (!/^\d{1,18}$/.test(after)) throw badInput('after', 'must be a sequence number');
        response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
        let seq = Number(after);
        for (;;) {
          const events = await audit.eventsAfter(seq, BATCH);
          for (const event of events) response.write(`${JSON.stringify(event)}\n`);
          if (events.length < BATCH) break;
          seq = events[events.length - 1].seq;
        }
        response.end();
      },
    },
  ];
}
