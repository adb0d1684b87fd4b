import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends `paths` as GET requests one after the other on one kept-alive connection (the last asks to close it) and
 * reads what comes back as the responses a client would: each framed by its Content-Length. `trailing` is what
 * remains after them: empty unless a response sent more bytes than it announced, which would have been read as the
 * start of the next response (response smuggling). Answers only Content-Length framing, which is all these need.
 */
export async function onOneConnection(
  baseUrl: string,
  paths: string[],
  headers: Record<string, string>,
): Promise<{ responses: RawResponse[]; trailing: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      paths
        .map(
          (p, i) =>
            `GET ${p} HTTP/1.1\r\nhost: ${hostname}\r\n${extra.join('')}connection: ${i === paths.length - 1 ? 'close' : 'keep-alive'}\r\n\r\n`,
        )
        .join(''),
    );
  });
  const responses: RawResponse[] = [];
  let at = 0;
  for (let i = 0; i < paths.length; i += 1) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0 || !raw.subarray(at, at + 5).equals(Buffer.from('HTTP/'))) break; // not a response: what a client would choke on
    const [statusLine, ...lines] = raw.subarray(at, end).toString('latin1').split('\r\n');
    const responseHeaders = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const length = Number(responseHeaders['content-length'] ?? 0);
    responses.push({ status: Number(statusLine.split(' ')[1]), headers: responseHeaders, body: raw.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return { responses, trailing: raw.subarray(at) };
}
