import { createHash } from 'node:crypto';
import type { HttpRoute } from '../../common/http-route';
import { BOM_MEDIA_TYPE } from './bom.rules';
import type { BomService } from './bom.service';

/**
 * GET /models/<name>/versions/<number>/bom.cdx.json: the version's AI bill of materials, CycloneDX 1.6 JSON (VIEW on
 * the model; a model or version unknown, or a model the caller cannot see, is a 404 JSON error). The same bytes while
 * the registry's facts about the version are the same, so its ETag is their SHA-256.
 */
export function bomRoutes(bom: BomService): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/models/:modelName/versions/:version/bom.cdx.json',
      handle: async (request, response, caller) => {
        const body = Buffer.from(await bom.bom(caller, request.params.modelName, request.params.version), 'utf8');
        response.writeHead(200, {
          'content-type': BOM_MEDIA_TYPE,
          'content-length': String(body.length),
          etag: `"${createEtag(body)}"`,
        });
        response.end(body);
      },
    },
  ];
}

const createEtag = (body: Buffer): string => createHash('sha256').update(body).digest('hex');
