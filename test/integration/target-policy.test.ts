import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckServiceNowDocument,
  RegisterServiceDocument,
  TestCheckDocument,
  UpdateServiceDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { lookupVia, startTarget, type Target } from '../support/target-fixture.js';

describe('TARGET_POLICY=public-only against a real app and real targets', () => {
  let t: TestApp;
  let blocked: Target;
  let allowed: Target;
  beforeAll(async () => {
    // 127.0.0.1 is loopback (blocked); 127.0.0.2 is exempted with TARGET_ALLOW_CIDRS, so redirects
    // from an allowed target to a blocked one can be tested without leaving this machine.
    blocked = await startTarget({ host: '127.0.0.1' });
    allowed = await startTarget({ host: '127.0.0.2' });
    t = await startTestApp('embedded', {
      env: { TARGET_POLICY: 'public-only', TARGET_ALLOW_CIDRS: '127.0.0.2/32', SCHEDULER_ENABLED: 'false' },
      // A resolver hook: names that look public but point at this machine (DNS rebinding, hosts entries).
      prober: { lookup: lookupVia({ 'status.example.com': '127.0.0.1', 'allowed.example.com': '127.0.0.2' }) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await blocked?.close();
    await allowed?.close();
  });

  const register = async (name: string, url: string) =>
    (await t.run(RegisterServiceDocument, { input: { name, url } })).registerService;

  it.each([
    ['dotted', 'http://127.0.0.1/'],
    ['decimal', 'http://2130706433/'],
    ['hex', 'http://0x7f.1/'],
    ['octal', 'http://0177.0.0.1/'],
    ['short', 'http://127.1/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['RFC 1918', 'http://10.1.2.3/'],
    ['CGNAT', 'http://100.64.0.1/'],
    ['ULA', 'http://[fd00::1]/'],
    ['unspecified', 'http://0.0.0.0/'],
    ['localhost', 'http://localhost:8080/'],
  ])('refuses a %s address at registration, naming the url field', async (_label, url) => {
    const result = await register(`spelling ${url}`, url);
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    if (result.__typename === 'ValidationError') expect(result.message).toMatch(/blocked by target policy/);
  });

  it('refuses an update to a private address and a test check of one', async () => {
    const ok = await register('public-one', 'http://example.com/health');
    if (ok.__typename !== 'ServicePayload') throw new Error(JSON.stringify(ok));
    const updated = await t.run(UpdateServiceDocument, {
      id: ok.service.id,
      input: { url: 'http://[::ffff:10.0.0.1]/' },
    });
    expect(updated.updateService).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    const tested = await t.run(TestCheckDocument, { input: { name: 'x', url: 'http://2130706433/' } });
    expect(tested.testCheck).toMatchObject({ __typename: 'ValidationError', field: 'url' });
  });

  it('blocks at connect time a public-looking name that resolves to 127.0.0.1: DOWN with reason POLICY, no request sent', async () => {
    const result = await register('rebinding', `http://status.example.com:${blocked.port}/ok`);
    if (result.__typename !== 'ServicePayload') throw new Error(JSON.stringify(result));
    const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id: result.service.id });
    expect(checkServiceNow).toMatchObject({
      service: {
        state: {
          status: 'DOWN',
          reason: 'POLICY',
          message: expect.stringMatching(/blocked by target policy: 127\.0\.0\.1 is a loopback address/),
        },
      },
    });
    expect(blocked.hits('/ok')).toBe(0);
  });

  it('allows what TARGET_ALLOW_CIDRS exempts, and blocks a redirect from there to a blocked address', async () => {
    const fine = await register('exempted', `http://allowed.example.com:${allowed.port}/ok`);
    if (fine.__typename !== 'ServicePayload') throw new Error(JSON.stringify(fine));
    expect((await t.run(CheckServiceNowDocument, { id: fine.service.id })).checkServiceNow).toMatchObject({
      service: { state: { status: 'UP', httpStatus: 200 } },
    });

    const hop = encodeURIComponent(blocked.url('/ok'));
    const redirecting = await register('redirect-to-loopback', allowed.url(`/redirect?to=${hop}`));
    if (redirecting.__typename !== 'ServicePayload') throw new Error(JSON.stringify(redirecting));
    const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id: redirecting.service.id });
    expect(checkServiceNow).toMatchObject({ service: { state: { status: 'DOWN', reason: 'POLICY' } } });
    expect(allowed.hits('/redirect')).toBe(1);
    expect(blocked.hits('/ok')).toBe(0);
  });
});
