import type { HttpRoute } from '../../common/http-route';
import { renderHtml, renderMarkdown } from './card-document.rules';
import type { CardService } from './card.service';

/**
 * GET /models/<name>/versions/<number>/card.md (Markdown with Hugging Face front matter) and card.html (a printable
 * page, every text escaped, no script): VIEW on the model; a model or version unknown, or a model the caller cannot
 * see, is a 404 JSON error.
 */
export function cardRoutes(cards: CardService): HttpRoute[] {
  const route = (extension: string, type: string, render: (doc: Awaited<ReturnType<CardService['document']>>) => string): HttpRoute => ({
    method: 'GET',
    path: `/models/:modelName/versions/:version/card.${extension}`,
    handle: async (request, response, caller) => {
      const body = Buffer.from(render(await cards.document(caller, request.params.modelName, request.params.version)), 'utf8');
      response.writeHead(200, {
        'content-type': type,
        'content-length': String(body.length),
        'x-content-type-options': 'nosniff',
        ...(extension === 'html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" } : {}),
      });
      response.end(body);
    },
  });
  return [route('md', 'text/markdown; charset=utf-8', renderMarkdown), route('html', 'text/html; charset=utf-8', renderHtml)];
}
