// A scenario whose user may not scale, exec or create pods: the lab answers like a real
// apiserver (403 Forbidden Status), and access reviews say no, so netwiz's preflight and
// degrade paths can be tested with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;

beforeAll(async () => {
  lab = await startLab('test/fixtures/lab/rbac-deny.yaml', { dataPlane: 'none', exec: 'host' });
});
afterAll(async () => {
  await lab?.stop();
});

describe('rbac.deny', () => {
  it('still lets the user read', async () => {
    const r = await lab.kubectl(['get', 'deploy', 'web', '-o', 'name']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/web');
  });

  it('kubectl scale gets 403 with the apiserver\'s message', async () => {
    const r = await lab.kubectl(['scale', 'deploy', 'web', '--replicas=1']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): deployments.apps "web" is forbidden: User "oncall@example.com" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"',
    );
    const d = JSON.parse((await lab.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    expect(d.spec.replicas).toBe(2);
  });

  it('kubectl exec gets 403', async () => {
    const r = await lab.kubectl(['exec', lab.clientPod, '--', 'true']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('pods "client" is forbidden: User "oncall@example.com" cannot create resource "pods/exec" in API group "" in the namespace "shop"');
  });

  it('creating a pod gets 403', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } };
    const r = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden): error when creating "STDIN": pods is forbidden: User "oncall@example.com" cannot create resource "pods" in API group "" in the namespace "shop"');
  });

  it('kubectl auth can-i says no for what is denied and yes for the rest', async () => {
    const no = await lab.kubectl(['auth', 'can-i', 'patch', 'deployments', '--subresource=scale']);
    expect(no.stdout.trim()).toBe('no');
    expect(no.exitCode).toBe(1);
    const exec = await lab.kubectl(['auth', 'can-i', 'create', 'pods', '--subresource=exec']);
    expect(exec.stdout.trim()).toBe('no');
    const yes = await lab.kubectl(['auth', 'can-i', 'get', 'pods']);
    expect(yes.stdout.trim()).toBe('yes');
    expect(yes.exitCode).toBe(0);
  });

  it('a SelfSubjectAccessReview created with create -f - (JSON) is answered', async () => {
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'web' } },
    };
    const r = await lab.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(review) });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).status.allowed).toBe(false);
    review.spec.resourceAttributes.verb = 'get';
    review.spec.resourceAttributes.subresource = '';
    const ok = await lab.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(review) });
    expect(JSON.parse(ok.stdout).status.allowed).toBe(true);
  });
});
