import { CreateModelDocument, ViewerDocument } from '../generated/graphql';
import { ok, startTestServer, type TestServer } from '../support/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

test('smoke', async () => {
  expect(ok(await t.request(ViewerDocument)).viewer.role).toBe('ADMIN');
  const data = ok(await t.request(CreateModelDocument, { input: { name: 'smoke', owner: 'team' } }));
  expect(data.createModel.model.name).toBe('smoke');
});
