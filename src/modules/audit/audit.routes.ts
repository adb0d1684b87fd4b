import type { HttpRoute } from '../../common/http-route';
import { badInput } from '../../common/errors';
import { RegistryAction, type Authorization } from '../../common/authorization';
import type { AuditService } from './audit.service';

const BATCH = 2000;

/**
 * GET /audit/export[?after=<seq>]: the audit trail as stored, one JSON event per line in sequence order,
 * streamed in batches: what `npm run audit:verify` checks offline against the signed checkpoints.
 */
export function auditRoutes(audit: AuditService, authorization: Authorization): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/audit/export',
      handle: async (_request, response, caller, url) => {
        // The export is the whole trail: where models are visible only to those granted them, only ADMINs read it.
        authorization.authorizeRegistry(caller, RegistryAction.READ_WHOLE_TRAIL);
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
