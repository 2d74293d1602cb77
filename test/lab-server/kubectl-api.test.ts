// The real kubectl against the lab API server (no data plane; execs run as host processes):
// every kubectl command the playbooks use, asserted on kubectl's own output and exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { execa } from 'execa';
import { startLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;
const k = (...args: string[]) => lab.kubectl(args);
let calls = 0;
const kubectl = async (...args: string[]) => {
  calls++;
  return k(...args);
};
const json = async (...args: string[]) => {
  const r = await kubectl(...args, '-o', 'json');
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout);
};
const lines = (s: string) => s.trimEnd().split('\n');
const header = (s: string) => lines(s)[0]!.split(/\s{2,}/);

beforeAll(async () => {
  lab = await startLab('healthy', { dataPlane: 'none', exec: 'host' });
});
afterAll(async () => {
  await lab?.stop();
  process.stderr.write(`kubectl-api.test: ${calls} kubectl commands\n`);
});

function raw(pathname: string, accept: string): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(lab.server.url);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: pathname,
      ca: lab.server.caPem,
      headers: { Authorization: `Bearer ${lab.server.token}`, Accept: accept },
    });
    req.on('response', (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('discovery', () => {
  it('serves aggregated discovery with its exact content type, and legacy lists for older kubectl', async () => {
    const agg = await raw('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json');
    expect(agg.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.body.items.map((g: any) => g.metadata.name)).toEqual(['apps', 'discovery.k8s.io', 'authorization.k8s.io']);
    const legacy = await raw('/apis', 'application/json');
    expect(legacy.body.kind).toBe('APIGroupList');
    const core = await raw('/api/v1', 'application/json');
    expect(core.body.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/exec', 'services', 'endpoints', 'nodes', 'events']));
    const apps = await raw('/apis/apps/v1', 'application/json');
    expect(apps.body.resources.find((r: any) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('serves /version with minor 32 (the kubectl dispatcher picks its kubectl by it)', async () => {
    const r = await kubectl('version', '-o', 'json');
    expect(JSON.parse(r.stdout).serverVersion).toMatchObject({ major: '1', minor: '32' });
  });
});

describe('get', () => {
  it('lists pods as JSON with owner references, uids and resource versions', async () => {
    const list = await json('get', 'pods');
    expect(list.kind).toBe('List');
    const web = list.items.filter((p: any) => p.metadata.labels.app === 'web');
    expect(web).toHaveLength(3);
    for (const p of web) {
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
      expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(0);
      expect(p.status.phase).toBe('Running');
      expect(p.status.podIP).toMatch(/^10\.244\./);
      expect(p.status.containerStatuses[0].ready).toBe(true);
    }
  });

  it('prints the server-side table of `get pods -o wide`', async () => {
    const r = await kubectl('get', 'pods', '-o', 'wide');
    expect(r.exitCode).toBe(0);
    expect(header(r.stdout)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const client = lines(r.stdout).find((l) => l.startsWith('client '))!;
    expect(client.split(/\s+/)).toEqual(['client', '1/1', 'Running', '0', expect.stringMatching(/^\d+m$/), '10.244.1.2', 'node-1', '<none>', '<none>']);
  });

  it('prints services, deployments and nodes with their own columns', async () => {
    const svc = await kubectl('get', 'svc', lab.service);
    expect(header(svc.stdout)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(lines(svc.stdout)[1]!.split(/\s+/).slice(0, 5)).toEqual(['web', 'ClusterIP', '10.96.80.80', '<none>', '80/TCP']);
    const deploy = await kubectl('get', 'deploy', '-o', 'wide');
    expect(header(deploy.stdout)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(lines(deploy.stdout)[1]).toMatch(/^web\s+3\/3\s+3\s+3\s+2d\s+web\s+registry\.lab\.example\/web:2\.4\s+app=web$/);
    const nodes = await kubectl('get', 'nodes', '-o', 'wide');
    expect(header(nodes.stdout)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(lines(nodes.stdout)[1]).toMatch(/^node-1\s+Ready\s+control-plane\s+30d\s+v1\.32\.4\s+10\.77\.0\.11\s+<none>/);
  });

  it('filters by label selector', async () => {
    const r = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name');
    expect(lines(r.stdout)).toHaveLength(3);
    expect(r.stdout).not.toContain('client');
    const none = await kubectl('get', 'pods', '-l', 'app in (nothing,else)');
    expect(none.stderr).toContain('No resources found in shop namespace.');
    const not = await kubectl('get', 'pods', '-l', 'app!=web', '-o', 'name');
    expect(not.stdout.trim()).toBe('pod/client');
  });

  it('filters by field selector: spec.nodeName, status.phase, metadata.name', async () => {
    const onNode2 = await json('get', 'pods', '--field-selector', 'spec.nodeName=node-2');
    expect(onNode2.items.length).toBeGreaterThan(0);
    expect(onNode2.items.every((p: any) => p.spec.nodeName === 'node-2')).toBe(true);
    const running = await json('get', 'pods', '-A', '--field-selector', 'status.phase=Running,metadata.name=client');
    expect(running.items.map((p: any) => p.metadata.name)).toEqual(['client']);
    const pending = await kubectl('get', 'pods', '--field-selector', 'status.phase=Pending');
    expect(pending.stderr).toContain('No resources found');
  });

  it('serves endpoints and EndpointSlices that list the backing pods', async () => {
    const ep = await json('get', 'endpoints', lab.service);
    expect(ep.subsets[0].addresses.map((a: any) => a.targetRef.name).every((n: string) => n.startsWith('web-'))).toBe(true);
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const slices = await json('get', 'endpointslices', '-l', `kubernetes.io/service-name=${lab.service}`);
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0].endpoints).toHaveLength(3);
  });

  it('answers NotFound like an apiserver', async () => {
    const r = await kubectl('get', 'pod', 'nope');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });
});

describe('describe', () => {
  it('describes a pod with its node, IP and events', async () => {
    const r = await kubectl('describe', 'pod', lab.clientPod);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Node:\s+node-1\/10\.77\.0\.11$/m);
    expect(r.stdout).toMatch(/^IP:\s+10\.244\.1\.2$/m);
    expect(r.stdout).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned shop\/client to node-1/);
  });

  it('describes a service with its endpoints (read from EndpointSlices)', async () => {
    const r = await kubectl('describe', 'svc', lab.service);
    expect(r.stdout).toMatch(/^Selector:\s+app=web$/m);
    expect(r.stdout).toMatch(/^Endpoints:\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080$/m);
  });

  it('describes a deployment with its replica set and conditions', async () => {
    const r = await kubectl('describe', 'deploy', 'web');
    expect(r.stdout).toMatch(/^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m);
    expect(r.stdout).toMatch(/^NewReplicaSet:\s+web-[a-z0-9]{10} \(3\/3 replicas created\)$/m);
    expect(r.stdout).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
  });
});

describe('scale, patch, rollout, wait', () => {
  it('scale removes pods and the endpoints follow, then restores', async () => {
    const r = await kubectl('scale', 'deploy', 'web', '--replicas=1');
    expect(r.stdout.trim()).toBe('deployment.apps/web scaled');
    const pods = await json('get', 'pods', '-l', 'app=web');
    expect(pods.items).toHaveLength(1);
    const ep = await json('get', 'endpoints', 'web');
    expect(ep.subsets[0].addresses.map((a: any) => a.ip)).toEqual([pods.items[0].status.podIP]);
    const up = await kubectl('scale', 'deploy', 'web', '--replicas=3');
    expect(up.exitCode).toBe(0);
    const after = await json('get', 'endpoints', 'web');
    expect(after.subsets[0].addresses).toHaveLength(3);
    const d = await json('get', 'deploy', 'web');
    expect(d.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  });

  it('rollout status ends when the deployment has rolled out (watch)', async () => {
    const r = await kubectl('rollout', 'status', 'deploy/web', '--timeout=20s');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('deployment "web" successfully rolled out');
  });

  it('strategic merge patch of nodeName moves the pods onto that node (new ReplicaSet)', async () => {
    const before = await json('get', 'deploy', 'web');
    const r = await kubectl('patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"nodeName":"node-2"}}}}');
    expect(r.stdout.trim()).toBe('deployment.apps/web patched');
    const pods = await json('get', 'pods', '-l', 'app=web');
    expect(pods.items).toHaveLength(3);
    expect(pods.items.every((p: any) => p.spec.nodeName === 'node-2' && p.status.podIP.startsWith('10.244.2.'))).toBe(true);
    const d = await json('get', 'deploy', 'web');
    expect(d.metadata.generation).toBe(before.metadata.generation + 1);
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const rs = await json('get', 'rs', '-l', 'app=web');
    expect(rs.items.map((x: any) => x.spec.replicas).sort()).toEqual([0, 3]);
    const st = await kubectl('rollout', 'status', 'deploy/web', '--timeout=20s');
    expect(st.exitCode).toBe(0);
  });

  it('merge patch of a nodeSelector and JSON patch of a nodeAffinity pin pods to node-1', async () => {
    const m = await kubectl('patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"template":{"spec":{"nodeName":null,"nodeSelector":{"kubernetes.io/hostname":"node-1"}}}}}');
    expect(m.exitCode).toBe(0);
    let pods = await json('get', 'pods', '-l', 'app=web');
    expect(pods.items.map((p: any) => p.spec.nodeName)).toEqual(['node-1', 'node-1', 'node-1']);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2'] }] }],
        },
      },
    };
    const j = await kubectl(
      'patch', 'deploy', 'web', '--type=json',
      '-p', JSON.stringify([
        { op: 'remove', path: '/spec/template/spec/nodeSelector' },
        { op: 'add', path: '/spec/template/spec/affinity', value: affinity },
      ]),
    );
    expect(j.stderr).toBe('');
    pods = await json('get', 'pods', '-l', 'app=web');
    expect(pods.items.map((p: any) => p.spec.nodeName)).toEqual(['node-2', 'node-2', 'node-2']);
  });

  it('JSON patch of replicas and a labels patch of a pod', async () => {
    const r = await kubectl('patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]');
    expect(r.exitCode).toBe(0);
    expect((await json('get', 'pods', '-l', 'app=web')).items).toHaveLength(2);
    const l = await kubectl('label', 'pod', lab.clientPod, 'role=probe');
    expect(l.stdout.trim()).toBe('pod/client labeled');
    expect((await json('get', 'pod', lab.clientPod)).metadata.labels).toEqual({ run: 'client', role: 'probe' });
  });

  it('refuses an invalid patch with 422 like an apiserver', async () => {
    const r = await kubectl('patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^The Deployment "web" is invalid: .*(does not match|immutable)/m);
  });

  it('wait --for=condition=Ready and --for=delete', async () => {
    const r = await kubectl('wait', '--for=condition=Ready', `pod/${lab.clientPod}`, '--timeout=10s');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('pod/client condition met');
    const victim = (await json('get', 'pods', '-l', 'app=web')).items[0].metadata.name;
    const del = await kubectl('delete', 'pod', victim, '--wait=false');
    expect(del.stdout.trim()).toBe(`pod "${victim}" deleted`);
    const w = await kubectl('wait', '--for=delete', `pod/${victim}`, '--timeout=10s');
    expect(w.exitCode).toBe(0);
    // the ReplicaSet replaced it
    expect((await json('get', 'pods', '-l', 'app=web')).items).toHaveLength(2);
  });
});

describe('dry runs', () => {
  it('delete --dry-run=server answers like a delete and keeps the pod (dryRun comes in the body)', async () => {
    const victim = (await json('get', 'pods', '-l', 'app=web')).items[0].metadata.name;
    const del = await kubectl('delete', 'pod', victim, '--dry-run=server');
    expect(del.exitCode).toBe(0);
    expect(del.stdout.trim()).toBe(`pod "${victim}" deleted (server dry run)`);
    const after = await kubectl('get', 'pod', victim, '-o', 'name');
    expect(after.exitCode).toBe(0);
    expect(after.stdout.trim()).toBe(`pod/${victim}`);
  });
});

describe('more of what people type', () => {
  it('rollout restart and set image roll out new ReplicaSets', async () => {
    const before = (await json('get', 'rs', '-l', 'app=web')).items.length;
    expect((await kubectl('set', 'image', 'deploy/web', 'web=registry.lab.example/web:2.5')).stdout.trim()).toBe('deployment.apps/web image updated');
    expect((await kubectl('rollout', 'restart', 'deploy/web')).stdout.trim()).toBe('deployment.apps/web restarted');
    const rs = (await json('get', 'rs', '-l', 'app=web')).items;
    expect(rs.length).toBe(before + 2);
    const pods = (await json('get', 'pods', '-l', 'app=web')).items;
    expect(pods.every((p: any) => p.spec.containers[0].image === 'registry.lab.example/web:2.5')).toBe(true);
    expect((await kubectl('rollout', 'status', 'deploy/web', '--timeout=20s')).exitCode).toBe(0);
  });

  it('describe node lists the pods on it; get all; logs', async () => {
    const node = await kubectl('describe', 'node', 'node-1');
    expect(node.stdout).toMatch(/^\s+Kernel Version:\s+6\.1\.0-lab-amd64$/m);
    expect(node.stdout).toMatch(/^\s+shop\s+client\s+/m);
    const all = await kubectl('get', 'all');
    expect(all.stdout).toContain('service/web');
    expect(all.stdout).toContain('deployment.apps/web');
    const logs = await kubectl('logs', 'deploy/web');
    expect(logs.stdout).toBe('listening on :8080\n');
  });

  it('kubectl debug adds an ephemeral container that exec can use', async () => {
    expect((await kubectl('run', 'dbg-target', '--image=busybox', '--', 'sleep', '3600')).exitCode).toBe(0);
    const r = await kubectl('debug', 'dbg-target', '--image=nicolaka/netshoot', '--container=netwiz-dbg', '--profile=netadmin', '--', 'sleep', '600');
    expect(r.exitCode, r.stderr).toBe(0);
    const pod = await json('get', 'pod', 'dbg-target');
    expect(pod.spec.ephemeralContainers[0]).toMatchObject({ name: 'netwiz-dbg', image: 'nicolaka/netshoot' });
    expect(pod.status.ephemeralContainerStatuses[0].state.running).toBeDefined();
    const e = await kubectl('exec', 'dbg-target', '-c', 'netwiz-dbg', '--', 'echo', 'from-debug');
    expect(e.stdout).toBe('from-debug\n');
    const plain = await kubectl('exec', 'dbg-target', '--', 'true');
    expect(plain.stderr).toBe('Defaulted container "dbg-target" out of: dbg-target, netwiz-dbg (ephem)\n');
  });

  it('get -w streams table rows as pods change', async () => {
    const proc = execa('kubectl', ['--kubeconfig', lab.kubeconfig, '--cache-dir', lab.cacheDir, 'get', 'pods', '-w', '-l', 'app=web'], { reject: false, buffer: false });
    calls++;
    let out = '';
    const waitFor = (re: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => re.test(out) && resolve();
        proc.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        check();
      });
    await waitFor(/^NAME\s+READY\s+STATUS/m);
    const victim = (await json('get', 'pods', '-l', 'app=web')).items[0].metadata.name;
    await kubectl('delete', 'pod', victim, '--wait=false');
    await waitFor(new RegExp(`^${victim}\\s+1/1\\s+Terminating`, 'm'));
    proc.kill();
    await proc;
    expect(out.split('\n').filter((l) => l.startsWith('NAME'))).toHaveLength(1);
  });
});

describe('exec', () => {
  it('returns stdout and stderr separately', async () => {
    const r = await kubectl('exec', lab.clientPod, '--', 'sh', '-c', 'echo to-out; echo to-err >&2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('to-out\n');
    expect(r.stderr).toBe('to-err\n');
  });

  it('propagates the exit code', async () => {
    const r = await kubectl('exec', lab.clientPod, '--', 'sh', '-c', 'exit 3');
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim()).toBe('command terminated with exit code 3');
  });

  it('passes stdin with -i', async () => {
    const r = await lab.kubectl(['exec', '-i', lab.clientPod, '--', 'wc', '-c'], { input: 'x'.repeat(100_000) });
    calls++;
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('100000');
  });

  it('kills everything the command started when kubectl hangs up', async () => {
    const marker = `netwiz-hangup-${process.pid}-${Date.now()}`;
    // a child that outlives its parent shell unless the whole process group is killed
    const run = lab.kubectl(['exec', lab.clientPod, '--', 'sh', '-c', `sleep 4711 & exec sleep 4712 # ${marker}`], {
      timeoutMs: 3000,
    });
    await run.catch(() => undefined);
    const alive = async () => (await execa('pgrep', ['-f', '^sleep 471[12]$'], { reject: false })).stdout.trim();
    // the lab's exec runs on this host (exec: 'host'); give the kill a moment to land
    let left = await alive();
    for (let i = 0; i < 50 && left !== ''; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await alive();
    }
    expect(left).toBe('');
  });

  it('carries large output intact', async () => {
    const r = await kubectl('exec', lab.clientPod, '--', 'head', '-c', '3000000', '/dev/zero');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(3_000_000);
  });

  it('says what is wrong when the command does not exist', async () => {
    const r = await kubectl('exec', lab.clientPod, '--', 'no-such-command-netwiz');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('exec: "no-such-command-netwiz": executable file not found in $PATH');
  });

  it('refuses a container the pod does not have', async () => {
    const r = await kubectl('exec', lab.clientPod, '-c', 'nope', '--', 'true');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('container nope is not valid for pod client');
  });

  it('refuses SPDY with a reason instead of hanging', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(lab.server.url);
      const req = request({
        host: u.hostname,
        port: u.port,
        path: `/api/v1/namespaces/${lab.namespace}/pods/${lab.clientPod}/exec?command=true&stdout=true`,
        method: 'POST',
        ca: lab.server.caPem,
        headers: { Authorization: `Bearer ${lab.server.token}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('upgrade', (r) => resolve({ status: r.statusCode ?? 101, body: '' }));
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/only over WebSocket \(v5\.channel\.k8s\.io\), not SPDY\/3\.1/);
  });
});

describe('auth, create, delete', () => {
  it('auth can-i answers yes (typed client, protobuf body)', async () => {
    for (const args of [['patch', 'deployments', '--subresource=scale'], ['create', 'pods', '--subresource=exec'], ['create', 'pods']]) {
      const r = await kubectl('auth', 'can-i', ...args);
      expect(r.stdout.trim(), args.join(' ')).toBe('yes');
      expect(r.exitCode).toBe(0);
    }
  });

  it('creates a hostNetwork pod on a node with create -f -, execs in it, deletes it', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'netwiz-node-node-2', labels: { 'app.kubernetes.io/managed-by': 'netwiz' } },
      spec: { nodeName: 'node-2', hostNetwork: true, containers: [{ name: 'shell', image: 'nicolaka/netshoot', command: ['sleep', 'infinity'] }] },
    };
    const c = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
    calls++;
    expect(c.stderr).toBe('');
    expect(c.stdout.trim()).toBe('pod/netwiz-node-node-2 created');
    const got = await json('get', 'pod', 'netwiz-node-node-2');
    expect(got.spec).toMatchObject({ nodeName: 'node-2', hostNetwork: true });
    expect(got.status.podIP).toBe('10.77.0.12');
    const w = await kubectl('wait', '--for=condition=Ready', 'pod/netwiz-node-node-2', '--timeout=10s');
    expect(w.exitCode).toBe(0);
    const e = await kubectl('exec', 'netwiz-node-node-2', '--', 'echo', 'on-node');
    expect(e.stdout).toBe('on-node\n');
    const again = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
    calls++;
    expect(again.stderr.trim()).toBe('Error from server (AlreadyExists): error when creating "STDIN": pods "netwiz-node-node-2" already exists');
    const d = await kubectl('delete', 'pod', 'netwiz-node-node-2');
    expect(d.stdout.trim()).toBe('pod "netwiz-node-node-2" deleted');
    const gone = await kubectl('get', 'pod', 'netwiz-node-node-2');
    expect(gone.exitCode).toBe(1);
  });

  it('kubectl run creates a pod (typed client)', async () => {
    const r = await kubectl('run', 'probe', '--image=busybox', '--restart=Never', '--', 'sleep', '3600');
    expect(r.stdout.trim()).toBe('pod/probe created');
    const p = await json('get', 'pod', 'probe');
    expect(p.spec.containers[0]).toMatchObject({ name: 'probe', image: 'busybox', args: ['sleep', '3600'] });
    await kubectl('delete', 'pod', 'probe', '--wait=false');
  });

  it('kubectl debug node creates a hostNetwork pod on that node (typed client, protobuf body)', async () => {
    const r = await kubectl('debug', 'node/node-1', '--image=busybox', '--', 'true');
    expect(r.exitCode, r.stderr).toBe(0);
    const name = /Creating debugging pod (node-debugger-node-1-\w+) /.exec(r.stdout)?.[1];
    expect(name).toBeDefined();
    const p = await json('get', 'pod', name!);
    expect(p.spec).toMatchObject({ nodeName: 'node-1', hostNetwork: true });
    expect(p.spec.containers[0]).toMatchObject({ name: 'debugger', image: 'busybox', command: ['true'] });
    expect(p.status.podIP).toBe('10.77.0.11');
    await kubectl('delete', 'pod', name!, '--wait=false');
  });

  it('rejects a wrong token with 401', async () => {
    const r = await lab.kubectl(['--token', 'wrong', 'get', 'pods']);
    calls++;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
