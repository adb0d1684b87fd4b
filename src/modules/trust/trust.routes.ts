import type { HttpRoute } from '../../common/http-route';
import { badInput } from '../../common/errors';
import type { ModelSignatureEntity } from './model-signature.entity';
import { signatureDownloadPath } from './signer.rules';
import type { TrustService } from './trust.service';

type Request = Parameters<HttpRoute['handle']>[0];

/** The body as text, refused (BAD_USER_INPUT naming `bundle`) once it is over the bound, before it is all held. */
async function readBundle(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  const over = (bytes: number) => badInput('bundle', `is ${bytes} bytes, over the bound of ${max} (MODELGRAPH_MAX_SIGNATURE_BYTES)`);
  if (Number.isFinite(declared) && declared > max) {
    request.resume(); // drain, so the answer reaches the client
    throw over(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  if (size > max) throw over(size);
  return Buffer.concat(chunks).toString('utf8');
}

const answer = (signature: ModelSignatureEntity) => ({
  id: signature.id,
  versionId: signature.versionId,
  method: signature.method,
  signer: signature.signer,
  signerIssuer: signature.signerIssuer,
  trustedSignerId: signature.trustedSignerId,
  signedAt: signature.signedAt.toISOString(),
  attachedAt: signature.attachedAt.toISOString(),
  rootDigest: signature.rootDigest,
  downloadPath: signatureDownloadPath(signature.versionId, signature.id),
});

/**
 * PUT /artifacts/<versionId>/model.sig: an OMS bundle as the body (JSON, as `model_signing` writes it), verified and
 * recorded as attachModelSignature does (CONTRIBUTE on the model); 201 with the signature, 200 when the same bundle
 * was attached before. GET /artifacts/<versionId>/model.sig: the bundle of the newest signature that counts
 * (`?signature=<id>`: that one), VIEW on the model. Exact routes: they are matched before the artifacts module's
 * `/artifacts/:versionId/*path`, where `model.sig` is a reserved path.
 */
export function trustRoutes(trust: TrustService): HttpRoute[] {
  return [
    {
      method: 'PUT',
      path: '/artifacts/:versionId/model.sig',
      handle: async (request, response, caller) => {
        const bundle = await readBundle(request, trust.maxSignatureBytes);
        const { signature, created } = await trust.attach(caller, request.params.versionId, bundle);
        response.writeHead(created ? 201 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer(signature)));
      },
    },
    {
      method: 'GET',
      path: '/artifacts/:versionId/model.sig',
      handle: async (request, response, caller, url) => {
        const { signature, bundle } = await trust.bundleOf(caller, request.params.versionId, url.searchParams.get('signature'));
        const body = Buffer.from(bundle, 'utf8');
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-disposition': 'attachment; filename="model.sig"',
          'content-length': String(body.length),
          'x-signature-id': signature.id,
          etag: `"${signature.bundleSha256}"`,
        });
        response.end(body);
      },
    },
  ];
}
