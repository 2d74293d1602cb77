// The Executor: runs an argv on the workstation, inside a pod (kubectl exec, with an
// ephemeral debug container when the image lacks the tool) or on a node (a netwiz-made
// privileged host-network pod, created once per node per session and reused).
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { TargetSpec } from '../engine/model.js';
import type { CommandResult } from '../engine/types.js';
import {
  DEFAULT_DEBUG_IMAGE,
  NODE_POD_CONTAINER,
  UnsafeNameError,
  boundedRemote,
  killByMarkerArgv,
  checkName,
  debugContainerArgv,
  kubectlArgv,
  labelSafe,
  nodeCommand,
  nodePodManifest,
  peerPodManifest,
  podExecArgv,
  toolMissing,
  withClusterOptions,
} from './kubectl.js';
import { markSessionLive, unmarkSessionLive } from './state-dir.js';
import type { ClusterOptions, Executor, RunRequest } from './types.js';
import { runLocal, snapshotEnv, type LocalRunOptions } from './workstation.js';

export interface ExecutorOptions {
  /** labels the pods netwiz creates; default: a random id */
  sessionId?: string;
  /** bytes of head and tail kept in memory per stream (default 64 KiB) */
  windowBytes?: number;
  /** SIGTERM → SIGKILL grace for a process group (default 2 s) */
  killGraceMs?: number;
  /** how long a node pod / debug container may take to run (default 120 s) */
  podStartTimeoutMs?: number;
  /** status polling interval while waiting for it (default 500 ms) */
  pollMs?: number;
  /** namespace of node pods (default: cluster.namespace, else "default") */
  nodePodNamespace?: string;
  /** node pods and debug containers end by themselves after this (default 4 h) */
  podTtlSeconds?: number;
  /** timeout of netwiz's own kubectl calls (create/get/delete; default 30 s) */
  kubectlTimeoutMs?: number;
  /** extra environment for every process (e.g. KUBECONFIG, HOME for tests) */
  env?: Record<string, string>;
}

type PodJson = {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: ContainerStatusJson[];
    ephemeralContainerStatuses?: ContainerStatusJson[];
  };
};
type ContainerStatusJson = {
  name?: string;
  state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
};

class TargetUnavailable extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function failed(partial: Partial<CommandResult> & { spawnError: string }, via: string): CommandResult {
  return { exitCode: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, cancelled: false, via, ...partial };
}

const IMAGE_PROBLEMS = /ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|RegistryUnavailable/;

/** the reason a container will not run, or undefined while it may still start */
function containerProblem(s: ContainerStatusJson | undefined, image: string): string | undefined {
  const waiting = s?.state?.waiting;
  if (waiting?.reason && IMAGE_PROBLEMS.test(waiting.reason)) {
    return `image ${image} cannot be pulled (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); pass --debug-image with an image your cluster can pull`;
  }
  if (waiting?.reason && /CreateContainer(Config)?Error|RunContainerError/.test(waiting.reason)) {
    return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  const term = s?.state?.terminated;
  if (term) return `container ended (${term.reason ?? 'terminated'}, exit ${term.exitCode ?? '?'})`;
  return undefined;
}

export class ClusterExecutor implements Executor {
  readonly sessionId: string;
  private readonly image: string;
  private readonly nodeNs: string;
  private readonly tag = randomBytes(3).toString('hex');
  /** "node:N" / "peer:NS/N" → pod name, once the pod runs (or the attempt in progress) */
  private readonly helperPods = new Map<string, Promise<string>>();
  /** every pod netwiz made in this session ("ns/name"), for close() */
  private readonly createdPods = new Map<string, { namespace: string; name: string }>();
  /** "ns/pod/container\0tool" of tools the image lacks */
  private readonly missingTools = new Set<string>();
  /** "ns/pod" → ephemeral container name */
  private readonly debugContainers = new Map<string, Promise<string>>();
  private readonly closing = new AbortController();
  private closed = false;
  private live = false;

  constructor(
    readonly cluster: ClusterOptions,
    private readonly opts: ExecutorOptions = {},
  ) {
    this.sessionId = opts.sessionId ?? `nw-${randomBytes(6).toString('hex')}`;
    this.image = cluster.debugImage ?? DEFAULT_DEBUG_IMAGE;
    this.nodeNs = opts.nodePodNamespace ?? cluster.namespace ?? 'default';
  }

  /** process.env plus opts.env as of this executor's first command (see LocalRunOptions.baseEnv) */
  private baseEnv: Record<string, string> | undefined;

  private local(o: Omit<LocalRunOptions, 'windowBytes' | 'killGraceMs' | 'env' | 'baseEnv'>): Promise<CommandResult> {
    // one snapshot per session: netwiz does not change its own environment while one runs
    this.baseEnv ??= snapshotEnv(this.opts.env);
    return runLocal({
      ...o,
      ...(this.opts.windowBytes !== undefined ? { windowBytes: this.opts.windowBytes } : {}),
      ...(this.opts.killGraceMs !== undefined ? { killGraceMs: this.opts.killGraceMs } : {}),
      baseEnv: this.baseEnv,
    });
  }

  /** netwiz's own kubectl call (create/get/delete), bounded, its output kept in memory */
  private kubectl(args: string[], namespace: string | undefined, extra: { stdin?: string; signal?: AbortSignal } = {}) {
    return this.local({
      argv: kubectlArgv(this.cluster, args, namespace),
      timeoutMs: this.opts.kubectlTimeoutMs ?? 30_000,
      ...extra,
    });
  }

  async run(req: RunRequest): Promise<CommandResult> {
    try {
      switch (req.target.kind) {
        case 'workstation':
          return { ...(await this.local(this.localOpts(req, withClusterOptions(this.cluster, req.argv)))), via: 'workstation' };
        case 'pod':
          return await this.runInPod(req, req.target);
        case 'node':
          return await this.runOnNode(req, req.target);
        default:
          return failed({ spawnError: `unknown target kind ${JSON.stringify((req.target as TargetSpec).kind)}` }, 'none');
      }
    } catch (e) {
      if (e instanceof UnsafeNameError) return failed({ spawnError: e.message }, req.target.kind);
      throw e;
    }
  }

  private localOpts(req: RunRequest, argv: string[]): Omit<LocalRunOptions, 'windowBytes' | 'killGraceMs' | 'env'> {
    return {
      argv,
      timeoutMs: req.timeoutMs,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.onOutput ? { onOutput: req.onOutput } : {}),
      ...(req.outputFile ? { outputFile: req.outputFile } : {}),
      ...(req.stdin !== undefined ? { stdin: req.stdin } : {}),
    };
  }

  private async runInPod(req: RunRequest, t: TargetSpec): Promise<CommandResult> {
    if (!t.pod) return failed({ spawnError: 'pod target without a pod name: the step must say which pod' }, 'exec');
    const ns = t.namespace ?? this.cluster.namespace;
    const stdin = req.stdin !== undefined;
    const tool = req.argv[0] ?? '';
    const note = (text: string) => req.onOutput?.(`netwiz: ${text}\n`, 'stderr');
    // a tool found missing once in this container is not tried there again
    const missingKey = `${ns ?? ''}/${t.pod}/${t.container ?? ''}\0${tool}`;
    let first: CommandResult = { exitCode: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, cancelled: false };
    if (!this.missingTools.has(missingKey)) {
      first = await this.local(
        this.localOpts(req, podExecArgv(this.cluster, { pod: t.pod, ...(ns ? { namespace: ns } : {}), ...(t.container ? { container: t.container } : {}), stdin }, req.argv)),
      );
      if (!toolMissing(first, req.argv)) return { ...first, via: 'exec' };
      this.missingTools.add(missingKey);
      note(
        `${tool} is not usable in ${t.container ? `container ${t.container} of ` : ''}pod ${t.pod}; running it in an ephemeral debug container (${this.image})`,
      );
    }
    const started = performance.now();
    const appendStderr = (text: string) => `${first.stderr}${first.stderr.endsWith('\n') || !first.stderr ? '' : '\n'}${text}`;
    let where: { pod: string; namespace?: string; container: string; via: string };
    try {
      const container = await this.ensureDebugContainer(t.pod, ns, t.container, req.signal);
      where = { pod: t.pod, ...(ns ? { namespace: ns } : {}), container, via: 'debug-container' };
    } catch (e) {
      const err = e as TargetUnavailable;
      if (err.cancelled || req.signal?.aborted) return { ...first, cancelled: true, via: 'debug-container' };
      // ephemeral containers disabled, forbidden or unsupported: a pod on the same node
      note(`no ephemeral debug container (${err.message}); using a netwiz pod on the same node instead (not the pod's own network namespace)`);
      try {
        const peer = await this.ensurePeerPod(t.pod, ns, req.signal);
        where = { pod: peer.name, namespace: peer.namespace, container: NODE_POD_CONTAINER, via: 'same-node-pod' };
      } catch (e2) {
        const err2 = e2 as TargetUnavailable;
        if (err2.cancelled || req.signal?.aborted) return { ...first, cancelled: true, via: 'same-node-pod' };
        const why = `netwiz: debug container fallback failed: ${err.message}\nnetwiz: same-node pod fallback failed: ${err2.message}\n`;
        return {
          ...first,
          stderr: appendStderr(why),
          // the app container was not tried this time (the tool is known missing there)
          ...(first.durationMs === 0 && first.exitCode === null ? { spawnError: `${tool} is missing in pod ${t.pod} and no fallback worked` } : {}),
          via: 'exec',
        };
      }
    }
    const second = await this.runOwned(req, { pod: where.pod, ...(where.namespace ? { namespace: where.namespace } : {}), container: where.container }, req.argv);
    return { ...second, durationMs: Math.round(performance.now() - started) + first.durationMs, via: where.via };
  }

  private async runOnNode(req: RunRequest, t: TargetSpec): Promise<CommandResult> {
    if (!t.node) return failed({ spawnError: 'node target without a node name: the step must say which node' }, 'node-pod');
    checkName('node', t.node);
    const started = performance.now();
    let pod: string | undefined;
    for (let attempt = 0; attempt < 2 && pod === undefined; attempt++) {
      try {
        pod = await this.ensureNodePod(t.node, req.signal);
      } catch (e) {
        const err = e as TargetUnavailable;
        // a creation cancelled by another request: try again unless we were cancelled too
        if (err.cancelled && !req.signal?.aborted && !this.closed && attempt === 0) continue;
        const durationMs = Math.round(performance.now() - started);
        if (err.cancelled || req.signal?.aborted) {
          return { exitCode: null, stdout: '', stderr: '', durationMs, timedOut: false, cancelled: true, via: 'node-pod' };
        }
        return failed({ spawnError: `node ${t.node}: ${err.message}`, durationMs }, 'node-pod');
      }
    }
    if (pod === undefined) return failed({ spawnError: `node ${t.node}: debug pod did not start` }, 'node-pod');
    const res = await this.runOwned(req, { pod, namespace: this.nodeNs, container: NODE_POD_CONTAINER }, nodeCommand(req.argv));
    return { ...res, durationMs: Math.round(performance.now() - started), via: 'node-pod' };
  }

  /**
   * A command in a container netwiz made (node pod, same-node pod, debug container). The
   * end of `kubectl exec` does not stop the remote process (kubelets leave it running), so
   * the command carries a marker in its environment, is bounded by `timeout -s KILL`, and
   * on cancel/timeout every process with the marker (the command and its children) is
   * killed with a second exec before run() returns.
   */
  private async runOwned(req: RunRequest, where: { pod: string; namespace?: string; container: string }, argv: string[]): Promise<CommandResult> {
    const marker = `NETWIZ_RUN=${this.sessionSlug()}-${randomBytes(6).toString('hex')}`;
    const res = await this.local(
      this.localOpts(
        req,
        podExecArgv(this.cluster, { ...where, stdin: req.stdin !== undefined }, ['env', marker, ...boundedRemote(argv, req.timeoutMs)]),
      ),
    );
    if (res.cancelled || res.timedOut) {
      await this.local({ argv: podExecArgv(this.cluster, where, killByMarkerArgv(marker)), timeoutMs: this.opts.kubectlTimeoutMs ?? 30_000 });
    }
    return res;
  }

  /** DNS-1123 pod name, stable per (session, node) so a resumed session finds its pod */
  nodePodName(node: string): string {
    const h = createHash('sha1').update(`${this.sessionId}\0${node}`).digest('hex').slice(0, 8);
    return `netwiz-node-${this.sessionSlug()}-${h}`;
  }

  private sessionSlug(): string {
    return labelSafe(this.sessionId).toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 24).replace(/-+$/, '') || 's';
  }

  private ensureNodePod(node: string, signal: AbortSignal | undefined): Promise<string> {
    const name = this.nodePodName(node);
    return this.ensureHelperPod(`node:${node}`, signal, () =>
      nodePodManifest({
        name,
        namespace: this.nodeNs,
        node,
        sessionId: this.sessionId,
        image: this.image,
        host: hostname(),
        ttlSeconds: this.opts.podTtlSeconds ?? 4 * 3600,
      }),
    );
  }

  /** a netwiz pod on the node of `pod`, in its namespace (one per node and namespace) */
  private async ensurePeerPod(pod: string, ns: string | undefined, signal: AbortSignal | undefined): Promise<{ name: string; namespace: string }> {
    const got = await this.kubectl(['get', 'pod', pod, '-o', 'json'], ns, signal ? { signal } : {});
    if (got.cancelled) throw new TargetUnavailable('cancelled', true);
    if (got.exitCode !== 0) throw new TargetUnavailable(`cannot read pod ${pod}: ${(got.stderr || got.spawnError || '').trim()}`);
    const json = JSON.parse(got.stdout) as PodJson & { spec?: { nodeName?: string } };
    const node = json.spec?.nodeName;
    const namespace = json.metadata?.namespace ?? ns ?? 'default';
    if (!node) throw new TargetUnavailable(`pod ${pod} is not scheduled on a node yet`);
    const h = createHash('sha1').update(`${this.sessionId}\0${namespace}\0${node}`).digest('hex').slice(0, 8);
    const name = `netwiz-peer-${this.sessionSlug()}-${h}`;
    await this.ensureHelperPod(`peer:${namespace}/${node}`, signal, () =>
      peerPodManifest({
        name,
        namespace,
        node,
        sessionId: this.sessionId,
        image: this.image,
        host: hostname(),
        ttlSeconds: this.opts.podTtlSeconds ?? 4 * 3600,
        forPod: pod,
      }),
    );
    return { name, namespace };
  }

  private ensureHelperPod(key: string, signal: AbortSignal | undefined, manifest: () => Record<string, unknown>): Promise<string> {
    if (this.closed) return Promise.reject(new TargetUnavailable('the session is closing', true));
    const p = this.helperPods.get(key);
    if (!p) {
      // the creator's own cancel stops the creation, which deletes the half-made pod
      // before this promise settles
      const created = this.createHelperPod(manifest(), signal);
      this.helperPods.set(key, created);
      created.catch(() => {
        if (this.helperPods.get(key) === created) this.helperPods.delete(key);
      });
      return created;
    }
    // another request's creation: a cancelled waiter stops waiting, the creation goes on
    if (!signal) return p;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => reject(new TargetUnavailable('cancelled', true));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async createHelperPod(manifest: Record<string, unknown>, signal: AbortSignal | undefined): Promise<string> {
    const md = manifest.metadata as { name: string; namespace: string };
    const { name, namespace } = md;
    if (!this.live) {
      markSessionLive(this.sessionId);
      this.live = true;
    }
    this.createdPods.set(`${namespace}/${name}`, { namespace, name });
    // the creating request's cancel also stops the creation (and deletes the pod): it
    // started this debug pod; close() stops every creation
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    try {
      const created = await this.kubectl(['create', '-f', '-', '-o', 'name'], namespace, {
        stdin: JSON.stringify(manifest),
        signal: stop,
      });
      if (created.cancelled) throw new TargetUnavailable('cancelled', true);
      if (created.exitCode !== 0 && !/AlreadyExists|already exists/.test(created.stderr)) {
        throw new TargetUnavailable(
          `could not create debug pod ${namespace}/${name}: ${(created.stderr || created.spawnError || `exit ${created.exitCode}`).trim()}`,
        );
      }
      await this.waitRunning(name, namespace, stop, (pod) => {
        const st = pod.status;
        if (st?.phase === 'Running') return true;
        if (st?.phase === 'Failed' || st?.phase === 'Succeeded') {
          return `debug pod ${name} ${st.phase.toLowerCase()}${st.reason ? ` (${st.reason})` : ''}${st.message ? `: ${st.message}` : ''}`;
        }
        return containerProblem(st?.containerStatuses?.find((c) => c.name === NODE_POD_CONTAINER), this.image) ?? false;
      });
      return name;
    } catch (e) {
      // nothing half-made stays behind
      const del = await this.kubectl(['delete', 'pod', name, '--ignore-not-found', '--wait=false'], namespace);
      if (del.exitCode === 0) this.createdPods.delete(`${namespace}/${name}`);
      throw e instanceof TargetUnavailable ? e : new TargetUnavailable(String(e));
    }
  }

  /** poll `kubectl get pod -o json` until ready() says true, or a problem string */
  private async waitRunning(
    pod: string,
    ns: string | undefined,
    signal: AbortSignal,
    ready: (p: PodJson) => boolean | string,
  ): Promise<void> {
    const deadline = Date.now() + (this.opts.podStartTimeoutMs ?? 120_000);
    let last = '';
    for (;;) {
      if (signal.aborted) throw new TargetUnavailable('cancelled', true);
      const got = await this.kubectl(['get', 'pod', pod, '-o', 'json'], ns, { signal });
      if (got.cancelled) throw new TargetUnavailable('cancelled', true);
      if (got.exitCode === 0) {
        let json: PodJson;
        try {
          json = JSON.parse(got.stdout) as PodJson;
        } catch {
          throw new TargetUnavailable(`kubectl get pod ${pod} did not print JSON`);
        }
        const verdict = ready(json);
        if (verdict === true) return;
        if (typeof verdict === 'string') throw new TargetUnavailable(verdict);
        last = `phase ${json.status?.phase ?? 'unknown'}`;
      } else {
        last = (got.stderr || got.spawnError || '').trim();
      }
      if (Date.now() >= deadline) {
        throw new TargetUnavailable(`pod ${pod} not running after ${Math.round((this.opts.podStartTimeoutMs ?? 120_000) / 1000)} s (${last})`);
      }
      await sleep(this.opts.pollMs ?? 500, signal);
    }
  }

  private ensureDebugContainer(pod: string, ns: string | undefined, target: string | undefined, signal?: AbortSignal): Promise<string> {
    const key = `${ns ?? ''}/${pod}`;
    let p = this.debugContainers.get(key);
    if (!p) {
      p = this.createDebugContainer(pod, ns, target, signal);
      this.debugContainers.set(key, p);
      p.catch(() => {
        if (this.debugContainers.get(key) === p) this.debugContainers.delete(key);
      });
    }
    return p;
  }

  private async createDebugContainer(pod: string, ns: string | undefined, target: string | undefined, signal?: AbortSignal): Promise<string> {
    const name = `netwiz-dbg-${this.tag}`;
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const made = await this.local({
      argv: debugContainerArgv(this.cluster, {
        pod,
        ...(ns ? { namespace: ns } : {}),
        ...(target ? { target } : {}),
        name,
        ttlSeconds: this.opts.podTtlSeconds ?? 4 * 3600,
      }),
      timeoutMs: this.opts.kubectlTimeoutMs ?? 30_000,
      signal: stop,
    });
    if (made.cancelled) throw new TargetUnavailable('cancelled', true);
    if (made.exitCode !== 0) {
      throw new TargetUnavailable(`kubectl debug ${pod} failed: ${(made.stderr || made.spawnError || `exit ${made.exitCode}`).trim()}`);
    }
    await this.waitRunning(pod, ns, stop, (p) => {
      const s = p.status?.ephemeralContainerStatuses?.find((c) => c.name === name);
      if (s?.state?.running) return true;
      return containerProblem(s, this.image) ?? false;
    });
    return name;
  }

  /** Delete the node pods of this session. Ephemeral debug containers cannot be deleted
   * (Kubernetes forbids it); they end by themselves after podTtlSeconds. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    // let creations in flight notice and clean up after themselves
    await Promise.allSettled([...this.helperPods.values()]);
    const byNs = new Map<string, string[]>();
    for (const { namespace, name } of this.createdPods.values()) byNs.set(namespace, [...(byNs.get(namespace) ?? []), name]);
    // one kubectl per namespace, side by side; --wait=false: the API server has the delete
    // once kubectl returns, the pod's end is the cluster's business
    await Promise.all(
      [...byNs].map(async ([namespace, names]) => {
        const res = await this.kubectl(['delete', 'pod', ...names, '--ignore-not-found', '--wait=false'], namespace);
        if (res.exitCode === 0) for (const n of names) this.createdPods.delete(`${namespace}/${n}`);
      }),
    );
    this.helperPods.clear();
    this.debugContainers.clear();
    // pods that could not be deleted keep the session's live marker: once this process is
    // gone it names a dead session, and the next start sweeps (sweep.ts sweepStranded)
    if (this.live && this.createdPods.size === 0) {
      unmarkSessionLive(this.sessionId);
      this.live = false;
    }
  }
}

export function createExecutor(cluster: ClusterOptions, opts?: ExecutorOptions): ClusterExecutor {
  return new ClusterExecutor(cluster, opts);
}
