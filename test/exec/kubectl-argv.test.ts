// Pure argv building: cluster options on every call, one element per value, no flag
// injection through names, tool-missing detection on real error texts from the incidents.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  UnsafeNameError,
  kubectlArgv,
  nodeCommand,
  nodePodManifest,
  podExecArgv,
  toolMissing,
  withClusterOptions,
  debugContainerArgv,
  boundedRemote,
} from '../../src/exec/kubectl.js';
import type { CommandResult } from '../../src/engine/types.js';

const res = (p: Partial<CommandResult>): CommandResult => ({
  exitCode: 1,
  stdout: '',
  stderr: '',
  durationMs: 1,
  timedOut: false,
  cancelled: false,
  ...p,
});

describe('cluster options', () => {
  it('go on every netwiz kubectl call as --flag=value', () => {
    expect(kubectlArgv({ kubeconfig: '/k/conf', context: 'prod', namespace: 'shop', kubectl: '/bin/kc' }, ['get', 'pods'])).toEqual([
      '/bin/kc',
      '--kubeconfig=/k/conf',
      '--context=prod',
      '--namespace=shop',
      'get',
      'pods',
    ]);
  });

  it('leave $KUBECONFIG and the context namespace to kubectl when not given', () => {
    expect(kubectlArgv({}, ['get', 'nodes'])).toEqual(['kubectl', 'get', 'nodes']);
  });

  it("are added to a playbook's own kubectl argv, before any --", () => {
    const c = { kubeconfig: '/k', context: 'lab', namespace: 'shop', kubectl: '/x/kubectl' };
    expect(withClusterOptions(c, ['kubectl', 'get', 'pods', '-o', 'wide'])).toEqual([
      '/x/kubectl',
      '--kubeconfig=/k',
      '--context=lab',
      '--namespace=shop',
      'get',
      'pods',
      '-o',
      'wide',
    ]);
    // a namespace in the playbook's argv wins; so does -A
    for (const ns of [['-n', 'other'], ['--namespace=other'], ['-nother'], ['-A'], ['--all-namespaces']]) {
      expect(withClusterOptions(c, ['kubectl', 'get', 'svc', ...ns])).toEqual(['/x/kubectl', '--kubeconfig=/k', '--context=lab', 'get', 'svc', ...ns]);
    }
    // -n after -- belongs to the remote command, not to kubectl
    expect(withClusterOptions(c, ['kubectl', 'exec', 'p', '--', 'ping', '-n', '1'])).toContain('--namespace=shop');
    expect(withClusterOptions(c, ['ping', '-c', '1', '10.0.0.1'])).toEqual(['ping', '-c', '1', '10.0.0.1']);
  });
});

describe('pod exec argv', () => {
  it('is kubectl exec POD --container=C --namespace=NS -- argv', () => {
    expect(podExecArgv({ context: 'c' }, { pod: 'web-1', namespace: 'shop', container: 'app' }, ['ping', '-c', '3', '10.1.2.3'])).toEqual([
      'kubectl',
      '--context=c',
      '--namespace=shop',
      'exec',
      'web-1',
      '--container=app',
      '--',
      'ping',
      '-c',
      '3',
      '10.1.2.3',
    ]);
  });

  it('uses the session namespace when the target names none, -i only with stdin', () => {
    expect(podExecArgv({ namespace: 'def' }, { pod: 'p', stdin: true }, ['cat'])).toEqual([
      'kubectl',
      '--namespace=def',
      'exec',
      '-i',
      'p',
      '--',
      'cat',
    ]);
  });

  it('refuses names that kubectl would read as flags', () => {
    expect(() => podExecArgv({}, { pod: '--kubeconfig=/tmp/evil' }, ['id'])).toThrow(UnsafeNameError);
    expect(() => podExecArgv({}, { pod: 'p', namespace: '-A' }, ['id'])).toThrow(/never start with '-'/);
    expect(() => podExecArgv({}, { pod: 'p', container: '' }, ['id'])).not.toThrow(); // empty container = default
    expect(() => podExecArgv({}, { pod: '' }, ['id'])).toThrow(UnsafeNameError);
  });

  it('keeps any hostile value one element, verbatim (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.startsWith('-')),
        fc.string({ minLength: 1 }).filter((s) => !s.startsWith('-')),
        fc.array(fc.string()),
        (pod, ns, rest) => {
          const argv = podExecArgv({}, { pod, namespace: ns }, ['echo', ...rest]);
          expect(argv[argv.indexOf('exec') + 1]).toBe(pod);
          expect(argv).toContain(`--namespace=${ns}`);
          expect(argv.slice(argv.indexOf('--') + 1)).toEqual(['echo', ...rest]);
        },
      ),
    );
  });
});

describe('node commands', () => {
  it('run host binaries named under /host in chroot /host', () => {
    expect(nodeCommand(['/host/usr/sbin/iptables-save', '-t', 'nat'])).toEqual(['chroot', '/host', '/usr/sbin/iptables-save', '-t', 'nat']);
    expect(nodeCommand(['ip', '-d', 'link'])).toEqual(['ip', '-d', 'link']);
    expect(nodeCommand(['chroot', '/host', 'cat', '/etc/resolv.conf'])).toEqual(['chroot', '/host', 'cat', '/etc/resolv.conf']);
  });

  it('are bounded inside the pod', () => {
    expect(boundedRemote(['tcpdump', '-c', '10'], 30_000)).toEqual(['timeout', '-s', 'KILL', '31', 'tcpdump', '-c', '10']);
  });

  it('run in a pod like kubectl debug node makes, labelled with the session', () => {
    const m = nodePodManifest({
      name: 'netwiz-node-s1-abc',
      namespace: 'default',
      node: 'worker-2',
      sessionId: 's1',
      image: 'nicolaka/netshoot',
      host: 'ws',
      ttlSeconds: 60,
    }) as any;
    expect(m.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'netwiz', 'netwiz.io/session': 's1' });
    expect(m.spec).toMatchObject({ nodeName: 'worker-2', hostNetwork: true, hostPID: true, tolerations: [{ operator: 'Exists' }] });
    expect(m.spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(m.spec.containers[0].volumeMounts).toEqual([{ name: 'host-root', mountPath: '/host' }]);
    expect(m.spec.volumes).toEqual([{ name: 'host-root', hostPath: { path: '/' } }]);
  });

  it('debug containers use the debug image and target the container', () => {
    expect(debugContainerArgv({ debugImage: 'registry.local/netshoot:1', namespace: 'shop' }, { pod: 'p', target: 'app', name: 'netwiz-dbg-1', ttlSeconds: 60 })).toEqual([
      'kubectl',
      '--namespace=shop',
      'debug',
      'p',
      '--image=registry.local/netshoot:1',
      '--container=netwiz-dbg-1',
      '--profile=netadmin',
      '--target=app',
      '--',
      'sleep',
      '60',
    ]);
  });
});

describe('toolMissing', () => {
  it('recognises the incidents\' "curl: not found" and "ping: permission denied"', () => {
    expect(toolMissing(res({ exitCode: 127, stderr: '/bin/sh: curl: not found\n' }), ['curl', 'http://apiserver'])).toBe(true);
    expect(toolMissing(res({ exitCode: 1, stderr: 'PING 172.25.127.36 (172.25.127.36): 56 data bytes\nping: permission denied (are you root?)\n' }), ['ping', '172.25.127.36'])).toBe(true);
    expect(
      toolMissing(
        res({ exitCode: 1, stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "dig": executable file not found in $PATH: unknown\n' }),
        ['dig', 'apiserver'],
      ),
    ).toBe(true);
  });

  it('does not mistake findings or kubectl errors for a missing tool', () => {
    // 100% loss is evidence
    expect(toolMissing(res({ exitCode: 1, stdout: '3 packets transmitted, 0 received, 100% packet loss' }), ['ping', '10.0.0.1'])).toBe(false);
    expect(toolMissing(res({ exitCode: 1, stderr: 'Error from server (NotFound): pods "x" not found\n' }), ['ping', '1.2.3.4'])).toBe(false);
    expect(toolMissing(res({ exitCode: 6, stderr: 'curl: (6) Could not resolve host: apiserver\n' }), ['curl', 'http://apiserver'])).toBe(false);
    expect(toolMissing(res({ exitCode: 1, stderr: 'cat: /etc/x: Permission denied\n' }), ['cat', '/etc/x'])).toBe(false);
    expect(toolMissing(res({ exitCode: 0 }), ['ping'])).toBe(false);
    expect(toolMissing(res({ exitCode: null, timedOut: true }), ['ping'])).toBe(false);
  });
});
