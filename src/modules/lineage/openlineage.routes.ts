import type { HttpRoute } from '../../common/http-route';
import type { LineageService } from './lineage.service';

/**
 * POST /api/v1/lineage: where OpenLineage's HTTP transport sends RunEvents by default (Airflow, Spark,
 * dbt and the OpenLineage clients), with a bearer token of a CONTRIBUTOR. Answers 201 with what it
 * recorded; a malformed event is a 400 naming the JSON path of the problem.
 */
export function openLineageRoute(lineage: LineageService): HttpRoute {
  return {
    method: 'POST',
    path: '/api/v1/lineage',
    json: true,
    handle: async (request, response, caller) => {
      const recorded = await lineage.ingestOpenLineage(caller, request.body);
      response.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(recorded));
    },
  };
}
