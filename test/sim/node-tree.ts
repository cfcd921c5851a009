/**
 * A simulated EKS worker node written as a plain directory tree, for running the real collector
 * (`HOST_ROOT=<dir> bash functions/collector/collect.sh`) without a real host.
 *
 * The collector reads the host only through files, so a node is: /proc/<pid>/{cmdline,status,
 * cgroup,stat} as plain files, /proc/<pid>/cwd as a symlink whose target is the host path, /proc/uptime,
 * and the config, unit and environment files the node's AMI would have. File contents below are taken
 * from the AMI sources: awslabs/amazon-eks-ami `templates/al2/runtime/*`
 * (AL2, read at 0ab84280), `templates/al2023/runtime/rootfs/etc/systemd/system/kubelet.service` and
 * `nodeadm/internal/kubelet/{config,environment}.go` (AL2023), bottlerocket-os/bottlerocket-core-kit
 * `packages/kubernetes-1.31/kubelet-config` rendered with typical EKS settings (Bottlerocket), and the
 * files kubeadm's packages and `kubeadm join` write (kubeadm). Sizes are realistic on purpose: the
 * collector's output limits are tested against them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bloodhoundReport, type CisOutcome, type CisStatus, fakeApiclient } from './bottlerocket-api.ts';

/** One process as /proc shows it. */
export interface SimProcess {
  pid: number;
  ppid: number;
  /** Exact argv; written NUL-separated (with the trailing NUL the kernel shows) to /proc/<pid>/cmdline. */
  argv: string[];
  /** Real/effective/saved/fs UID in the status file; default 0. */
  uid?: number;
  /** The comm shown in status "Name:" and stat; default basename(argv[0]) cut to 15 bytes as the kernel does. */
  name?: string;
  /** Contents of /proc/<pid>/cgroup; default "0::/init.scope\n" for PID 1, else "0::/system.slice\n". */
  cgroup?: string;
  /** Host path of the working directory; default "/". */
  cwd?: string;
  /** How cwd is represented: a symlink (like the kernel's) or a plain file holding the path. */
  cwdAs?: 'symlink' | 'file';
  /** Start time in clock ticks since boot (stat field 22, USER_HZ 100); default 1000. */
  startTicks?: number;
  /** utime + stime in clock ticks (stat fields 14 and 15, split evenly); default 0. */
  cpuTicks?: number;
  /** /proc/<pid>/ns/mnt link target, e.g. "mnt:[4026531841]"; default the host's "mnt:[4026531840]". */
  mntNs?: string;
  /** Host path of the running binary: /proc/<pid>/exe becomes a symlink to it (as the kernel shows it). */
  exe?: string;
}

/**
 * A file on the simulated host: content (string or bytes) with optional mode, a symlink, a directory,
 * or a FIFO (opening one for reading blocks until a writer comes: a hostile node's trap for a reader).
 */
export type SimEntry =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { symlink: string }
  | { dir: true; mode?: number }
  | { fifo: true };

export interface NodeTreeSpec {
  /** Seconds since boot, written to /proc/uptime. Default 86400.42. */
  uptimeSeconds?: number;
  /** Written to /proc/sys/kernel/hostname and /etc/hostname when given. */
  hostname?: string;
  processes: SimProcess[];
  /** Host-absolute path → entry. Parent directories are created as needed. */
  files: Record<string, SimEntry>;
}

const HOST_MNT_NS = 'mnt:[4026531840]';

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function statusFile(p: SimProcess, comm: string): string {
  const uid = p.uid ?? 0;
  // The lines and their order follow a real Linux 6.1 /proc/<pid>/status (trimmed of the memory lines
  // that no reader here uses, but with enough of them that a parser cannot rely on line positions).
  return [
    `Name:\t${comm}`,
    'Umask:\t0022',
    'State:\tS (sleeping)',
    `Tgid:\t${p.pid}`,
    'Ngid:\t0',
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    'TracerPid:\t0',
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    `Gid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    'FDSize:\t128',
    'Groups:\t',
    `NStgid:\t${p.pid}`,
    `NSpid:\t${p.pid}`,
    `NSpgid:\t${p.pid}`,
    `NSsid:\t${p.pid}`,
    'VmPeak:\t 2045020 kB',
    'VmSize:\t 1982076 kB',
    'VmRSS:\t   98312 kB',
    'Threads:\t17',
    'SigQ:\t0/30446',
    'CapInh:\t0000000000000000',
    'CapPrm:\t000001ffffffffff',
    'CapEff:\t000001ffffffffff',
    'Seccomp:\t0',
    'Cpus_allowed_list:\t0-1',
    'voluntary_ctxt_switches:\t10577',
    'nonvoluntary_ctxt_switches:\t351',
    '',
  ].join('\n');
}

function statFile(p: SimProcess, comm: string): string {
  const cpu = p.cpuTicks ?? 0;
  const utime = Math.ceil(cpu / 2);
  const stime = cpu - utime;
  const start = p.startTicks ?? 1000;
  // 52 fields as in proc(5); the comm is in parentheses and may itself contain ") " so readers
  // must split after the LAST ')'.
  const fields = [
    'S',
    p.ppid,
    p.pid,
    p.pid,
    0,
    -1,
    4194560,
    52844,
    1421,
    12,
    0,
    utime,
    stime,
    0,
    0,
    20,
    0,
    17,
    0,
    start,
    2029645824,
    24578,
    '18446744073709551615',
    1,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2143420159,
    0,
    0,
    0,
    17,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  return `${p.pid} (${comm}) ${fields.join(' ')}\n`;
}

function writeEntry(target: string, entry: SimEntry): void {
  mkdirSync(dirname(target), { recursive: true });
  if (typeof entry === 'string' || Buffer.isBuffer(entry)) {
    writeFileSync(target, entry);
    return;
  }
  if ('symlink' in entry) {
    symlinkSync(entry.symlink, target);
    return;
  }
  if ('fifo' in entry) {
    // Node has no mkfifo; coreutils has.
    const made = spawnSync('mkfifo', ['-m', '0644', target], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfifo ${target} failed: ${made.stderr}`);
    return;
  }
  if ('dir' in entry) {
    mkdirSync(target, { recursive: true });
    if (entry.mode !== undefined) chmodSync(target, entry.mode);
    return;
  }
  writeFileSync(target, entry.content);
  if (entry.uid !== undefined || entry.gid !== undefined) {
    chownSync(target, entry.uid ?? process.getuid?.() ?? 0, entry.gid ?? process.getgid?.() ?? 0);
  }
  if (entry.mode !== undefined) chmodSync(target, entry.mode);
}

/** Writes the simulated node under `root` (which should be an empty directory). */
export function writeNodeTree(root: string, spec: NodeTreeSpec): void {
  const proc = join(root, 'proc');
  mkdirSync(proc, { recursive: true });
  writeFileSync(join(proc, 'uptime'), `${(spec.uptimeSeconds ?? 86400.42).toFixed(2)} 170123.45\n`);
  if (spec.hostname !== undefined) {
    writeEntry(join(proc, 'sys/kernel/hostname'), `${spec.hostname}\n`);
    writeEntry(join(root, 'etc/hostname'), `${spec.hostname}\n`);
  }
  for (const p of spec.processes) {
    const dir = join(proc, String(p.pid));
    mkdirSync(join(dir, 'ns'), { recursive: true });
    const comm =
      p.name ??
      Buffer.from(basename(p.argv[0] ?? ''))
        .subarray(0, 15)
        .toString();
    // Kernel threads have an empty cmdline; every user process's argv ends with a NUL.
    const cmdline = p.argv.length === 0 ? '' : `${p.argv.join('\0')}\0`;
    writeFileSync(join(dir, 'cmdline'), cmdline);
    writeFileSync(join(dir, 'status'), statusFile(p, comm));
    writeFileSync(join(dir, 'stat'), statFile(p, comm));
    writeFileSync(join(dir, 'cgroup'), p.cgroup ?? (p.pid === 1 ? '0::/init.scope\n' : '0::/system.slice\n'));
    writeFileSync(join(dir, 'comm'), `${comm}\n`);
    symlinkSync(p.mntNs ?? HOST_MNT_NS, join(dir, 'ns', 'mnt'));
    const cwd = p.cwd ?? '/';
    if (p.cwdAs === 'file') writeFileSync(join(dir, 'cwd'), cwd);
    else symlinkSync(cwd, join(dir, 'cwd'));
    if (p.exe !== undefined) symlinkSync(p.exe, join(dir, 'exe'));
  }
  for (const [path, entry] of Object.entries(spec.files)) {
    if (!path.startsWith('/')) throw new Error(`simulated file path must be absolute: ${path}`);
    writeEntry(join(root, path), entry);
  }
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

/** Options every preset accepts, so the emulator can vary nodes. Unused options are ignored. */
export interface PresetOptions {
  /** Extra kubelet argv, appended last (AL2: through KUBELET_EXTRA_ARGS and 30-kubelet-extra-args.conf;
   * AL2023: nodeadm's user `spec.kubelet.flags`, last in NODEADM_KUBELET_ARGS; others: the ExecStart). */
  makeIptablesFlag?: string[];
  /** makeIPTablesUtilChains in the --config file: undefined = key absent (the AMIs never set it);
   * boolean/null = that JSON/YAML value; a string = the raw value token, e.g. '"false"' or 'no'. */
  configMakeIptables?: boolean | string | null;
  /** AL2023 (and kubeadm): extra files under --config-dir, name relative to the dir → content.
   * Any drop-in makes the preset pass --config-dir, as nodeadm does. */
  dropIns?: Record<string, string>;
  /** AL2 and AL2023: extra top-level keys in the --config file, key → raw JSON value token
   * (e.g. { rotateCertificates: 'false', eventRecordQPS: '-1' }). */
  configKeys?: Record<string, string>;
  /** AL2023: makeIPTablesUtilChains in nodeadm's own 40-nodeadm.conf (as `spec.kubelet.config` writes it). */
  dropInMakeIptables?: boolean | string | null;
  hostname?: string;
  /** The kubelet process exists (default true); false keeps the files but no process. */
  kubeletRunning?: boolean;
  /** AL2/AL2023: extra args present in the unit/environment files on disk but NOT in the running
   * process (someone edited the file without restarting the kubelet: drift). */
  onDiskExtraArgs?: string[];
  /** Bottlerocket control container: the checks bloodhound does not PASS (bottlerocketReport's statuses). */
  apiChecks?: Record<string, CisStatus | CisOutcome>;
  /** Extra processes and files merged in last (override by pid / path). */
  extraProcesses?: SimProcess[];
  extraFiles?: Record<string, SimEntry>;
}

export type NodePreset = (options?: PresetOptions) => NodeTreeSpec;

const REGION = 'us-west-2';
const KUBELET_PID = 3187;
const KUBELET_BINARY = '/usr/bin/kubelet';

/** A stand-in for the kubelet binary: `--version` prints what the real one prints. */
export function fakeKubeletBinary(version: string): SimEntry {
  return { content: `#!/bin/sh\necho 'Kubernetes ${version}'\n`, mode: 0o755 };
}

/**
 * The kubelet binary, its kubeconfig and the cluster CA file as the AMI installs them (paths and
 * modes: awslabs/amazon-eks-ami nodeadm/internal/kubelet/kubeconfig.go, bottlerocket-os/bottlerocket
 * sources/shared-defaults/kubernetes-services.toml). Their contents are placeholders that must never reach
 * the evidence (the collector sends only their metadata).
 */
function kubeletHostFiles(o: {
  version: string;
  kubeconfig: string;
  kubeconfigMode: number;
  ca: string;
}): Record<string, SimEntry> {
  return {
    [KUBELET_BINARY]: fakeKubeletBinary(o.version),
    [o.kubeconfig]: {
      content: `apiVersion: v1\nkind: Config\n# ${KUBECONFIG_SECRET_MARKER}\n`,
      mode: o.kubeconfigMode,
    },
    [o.ca]: {
      content: `-----BEGIN CERTIFICATE-----\n${CA_SECRET_MARKER}\n-----END CERTIFICATE-----\n`,
      mode: 0o644,
    },
  };
}

/** Text in the simulated kubeconfig and CA files: its presence in evidence is a disclosure. */
export const KUBECONFIG_SECRET_MARKER = 'kubeconfig-content-never-leaves-the-node';
export const CA_SECRET_MARKER = 'MIIC-ca-content-never-leaves-the-node';
const BOOT_TICKS = 2400; // the kubelet starts ~24 s after boot

/** Renders a raw value token for a JSON or YAML config key (see PresetOptions.configMakeIptables). */
function rawValue(v: boolean | string | null): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function ipDashes(ip: string): string {
  return ip.replaceAll('.', '-');
}

/** The processes every Linux EKS node has besides the kubelet: systemd, a kernel thread, containerd,
 * the SSM agent chain that runs the collector, and two pods (kube-proxy, aws-node). */
function baseProcesses(
  serviceCgroup: (unit: string) => string,
  podCgroup: (id: string) => string,
): SimProcess[] {
  return [
    {
      pid: 1,
      ppid: 0,
      argv: ['/usr/lib/systemd/systemd', '--switched-root', '--system', '--deserialize', '21'],
      name: 'systemd',
      startTicks: 1,
      cgroup: serviceCgroup('init.scope'),
    },
    { pid: 2, ppid: 0, argv: [], name: 'kthreadd', startTicks: 1, cgroup: '0::/\n' },
    {
      pid: 2911,
      ppid: 1,
      argv: ['/usr/bin/containerd'],
      startTicks: 2100,
      cpuTicks: 51234,
      cgroup: serviceCgroup('runtime.slice/containerd.service'),
    },
    {
      pid: 2605,
      ppid: 1,
      argv: ['/usr/bin/amazon-ssm-agent'],
      startTicks: 1900,
      cgroup: serviceCgroup('system.slice/amazon-ssm-agent.service'),
    },
    {
      pid: 2720,
      ppid: 2605,
      argv: ['/usr/bin/ssm-agent-worker'],
      startTicks: 1950,
      cgroup: serviceCgroup('system.slice/amazon-ssm-agent.service'),
    },
    {
      pid: 41877,
      ppid: 2720,
      argv: ['/usr/bin/ssm-document-worker', '3f1c9a7e-5b7e-4c1e-9f55-6a0c2d1e8b44', '3f1c9a7e-5b7e-4c1e'],
      startTicks: 8_600_000,
      cgroup: serviceCgroup('system.slice/amazon-ssm-agent.service'),
    },
    {
      pid: 41890,
      ppid: 41877,
      argv: [
        'sh',
        '-c',
        '/var/lib/amazon/ssm/i-0123456789abcdef0/document/orchestration/3f1c9a7e-5b7e-4c1e-9f55-6a0c2d1e8b44/awsrunShellScript/collect/_script.sh',
      ],
      startTicks: 8_600_010,
      cgroup: serviceCgroup('system.slice/amazon-ssm-agent.service'),
    },
    {
      pid: 4410,
      ppid: 4390,
      argv: [
        'kube-proxy',
        '--v=2',
        '--config=/var/lib/kube-proxy-config/config',
        '--hostname-override=$(NODE_NAME)',
      ],
      startTicks: 3900,
      cgroup: podCgroup('4c0a6f7d9b8e'),
      mntNs: 'mnt:[4026532301]',
    },
    {
      pid: 4520,
      ppid: 4501,
      argv: ['./aws-vpc-cni'],
      startTicks: 4000,
      cgroup: podCgroup('9d2e1b7c3a55'),
      mntNs: 'mnt:[4026532377]',
    },
  ];
}

/** cgroup v2 (AL2023, Bottlerocket, kubeadm on a current distro): one "0::" line. */
function cgroupV2(path: string): string {
  return `0::/${path}\n`;
}

/** cgroup v1 (AL2): one line per hierarchy, newest first, as the kernel prints them. */
function cgroupV1(path: string): string {
  const controllers = [
    'misc',
    'pids',
    'hugetlb',
    'perf_event,net_cls,net_prio',
    'freezer',
    'memory',
    'blkio',
    'cpuset',
    'devices',
    'cpu,cpuacct',
  ];
  const lines = controllers.map((c, i) => `${controllers.length + 1 - i}:${c}:/${path}`);
  lines.push(`1:name=systemd:/${path}`);
  return `${lines.join('\n')}\n`;
}

const podV2 = (id: string) =>
  cgroupV2(
    `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod7b1d0c3e_2f4a_4b8e_9a61_0c5d2e7f8a90.slice/cri-containerd-${id}f00dfeedbeef0123456789abcdef0123456789abcdef0123456789a.scope`,
  );
const podV1 = (id: string) =>
  cgroupV1(
    `kubepods/besteffort/pod7b1d0c3e-2f4a-4b8e-9a61-0c5d2e7f8a90/${id}f00dfeedbeef0123456789abcdef01234567`,
  );

function merge(spec: NodeTreeSpec, o: PresetOptions): NodeTreeSpec {
  const byPid = new Map(spec.processes.map((p) => [p.pid, p]));
  for (const p of o.extraProcesses ?? []) byPid.set(p.pid, p);
  return {
    ...spec,
    processes: [...byPid.values()],
    files: { ...spec.files, ...(o.extraFiles ?? {}) },
  };
}

// --- Amazon Linux 2 ---------------------------------------------------------------------------

const AL2_OS_RELEASE = `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2026-06-30"
`;

/** kubelet-containerd.service, which bootstrap.sh copies over kubelet.service on containerd nodes. */
const AL2_KUBELET_SERVICE = `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service sandbox-image.service
Requires=containerd.service sandbox-image.service

[Service]
Slice=runtime.slice
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet \\
    --config /etc/kubernetes/kubelet/kubelet-config.json \\
    --kubeconfig /var/lib/kubelet/kubeconfig \\
    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\
    --image-credential-provider-config /etc/eks/image-credential-provider/config.json \\
    --image-credential-provider-bin-dir /etc/eks/image-credential-provider \\
    $KUBELET_ARGS \\
    $KUBELET_EXTRA_ARGS

Restart=on-failure
RestartForceExitStatus=SIGPIPE
RestartSec=5
KillMode=process
CPUAccounting=true
MemoryAccounting=true

[Install]
WantedBy=multi-user.target
`;

/** templates/al2/runtime/kubelet-config.json after bootstrap.sh's jq edits (2-space indent like jq). */
function al2KubeletConfig(
  make: boolean | string | null | undefined,
  keys: Record<string, string> = {},
): string {
  const lines = [
    '{',
    '  "kind": "KubeletConfiguration",',
    '  "apiVersion": "kubelet.config.k8s.io/v1beta1",',
    '  "address": "0.0.0.0",',
    '  "authentication": {',
    '    "anonymous": {',
    '      "enabled": false',
    '    },',
    '    "webhook": {',
    '      "cacheTTL": "2m0s",',
    '      "enabled": true',
    '    },',
    '    "x509": {',
    '      "clientCAFile": "/etc/kubernetes/pki/ca.crt"',
    '    }',
    '  },',
    '  "authorization": {',
    '    "mode": "Webhook",',
    '    "webhook": {',
    '      "cacheAuthorizedTTL": "5m0s",',
    '      "cacheUnauthorizedTTL": "30s"',
    '    }',
    '  },',
    '  "clusterDomain": "cluster.local",',
    '  "hairpinMode": "hairpin-veth",',
    '  "readOnlyPort": 0,',
    '  "cgroupDriver": "systemd",',
    '  "cgroupRoot": "/",',
    '  "failSwapOn": false,',
    '  "featureGates": {',
    '    "RotateKubeletServerCertificate": true,',
    '    "NodeSwap": false',
    '  },',
    '  "protectKernelDefaults": true,',
    '  "serializeImagePulls": false,',
    '  "serverTLSBootstrap": true,',
    '  "tlsCipherSuites": [',
    '    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",',
    '    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",',
    '    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",',
    '    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",',
    '    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",',
    '    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",',
    '    "TLS_RSA_WITH_AES_256_GCM_SHA384",',
    '    "TLS_RSA_WITH_AES_128_GCM_SHA256"',
    '  ],',
    '  "clusterDNS": [',
    '    "172.20.0.10"',
    '  ],',
    '  "kubeAPIQPS": 10,',
    '  "kubeAPIBurst": 20,',
    '  "evictionHard": {',
    '    "memory.available": "100Mi",',
    '    "nodefs.available": "10%",',
    '    "nodefs.inodesFree": "5%"',
    '  },',
    '  "kubeReserved": {',
    '    "cpu": "70m",',
    '    "ephemeral-storage": "1Gi",',
    '    "memory": "442Mi"',
    '  },',
    '  "kubeReservedCgroup": "/runtime",',
    '  "systemReservedCgroup": "/system",',
  ];
  if (make !== undefined) lines.push(`  "makeIPTablesUtilChains": ${rawValue(make)},`);
  for (const [key, token] of Object.entries(keys)) lines.push(`  ${JSON.stringify(key)}: ${token},`);
  lines.push('  "maxPods": 29', '}', '');
  return lines.join('\n');
}

function al2(o: PresetOptions = {}): NodeTreeSpec {
  const ip = '10.0.12.34';
  const hostname = o.hostname ?? `ip-${ipDashes(ip)}.${REGION}.compute.internal`;
  const kubeletArgs = [
    `--node-ip=${ip}`,
    `--pod-infra-container-image=602401143452.dkr.ecr.${REGION}.amazonaws.com/eks/pause:3.5`,
    '--v=2',
    `--hostname-override=${hostname}`,
    '--cloud-provider=external',
  ];
  const extra = o.makeIptablesFlag ?? [];
  const extraOnDisk = [...extra, ...(o.onDiskExtraArgs ?? [])];
  const argv = [
    '/usr/bin/kubelet',
    '--config',
    '/etc/kubernetes/kubelet/kubelet-config.json',
    '--kubeconfig',
    '/var/lib/kubelet/kubeconfig',
    '--container-runtime-endpoint',
    'unix:///run/containerd/containerd.sock',
    '--image-credential-provider-config',
    '/etc/eks/image-credential-provider/config.json',
    '--image-credential-provider-bin-dir',
    '/etc/eks/image-credential-provider',
    ...kubeletArgs,
    ...extra,
  ];
  const files: Record<string, SimEntry> = {
    '/etc/os-release': AL2_OS_RELEASE,
    '/etc/systemd/system/kubelet.service': AL2_KUBELET_SERVICE,
    '/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf': `[Service]\nEnvironment='KUBELET_ARGS=${kubeletArgs.join(' ')}'\n`,
    '/etc/kubernetes/kubelet/kubelet-config.json': al2KubeletConfig(o.configMakeIptables, o.configKeys),
    '/etc/eks/image-credential-provider/config.json':
      '{\n  "apiVersion": "kubelet.config.k8s.io/v1",\n  "kind": "CredentialProviderConfig",\n  "providers": []\n}\n',
  };
  // bootstrap.sh writes 30-kubelet-extra-args.conf only when --kubelet-extra-args is non-empty.
  if (extraOnDisk.length > 0) {
    files['/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf'] =
      `[Service]\nEnvironment='KUBELET_EXTRA_ARGS=${extraOnDisk.join(' ')}'\n`;
  }
  Object.assign(
    files,
    kubeletHostFiles({
      version: 'v1.30.14-eks-b707fbb',
      kubeconfig: '/var/lib/kubelet/kubeconfig',
      kubeconfigMode: 0o644,
      ca: '/etc/kubernetes/pki/ca.crt',
    }),
  );
  const processes = baseProcesses(cgroupV1, podV1);
  if (o.kubeletRunning !== false) {
    processes.push({
      pid: KUBELET_PID,
      ppid: 1,
      exe: KUBELET_BINARY,
      argv,
      startTicks: BOOT_TICKS,
      cpuTicks: 248_113,
      cgroup: cgroupV1('runtime.slice/kubelet.service'),
    });
  }
  return merge({ hostname, uptimeSeconds: 86_412.37, processes, files }, o);
}

// --- Amazon Linux 2023 (nodeadm) --------------------------------------------------------------

const AL2023_OS_RELEASE = `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.9.20251110"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"
SUPPORT_URL="https://aws.amazon.com/premiumsupport/"
BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"
VENDOR_NAME="AWS"
VENDOR_URL="https://aws.amazon.com/"
SUPPORT_END="2029-06-30"
`;

const AL2023_KUBELET_SERVICE = `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service
Wants=containerd.service

[Service]
Slice=runtime.slice
EnvironmentFile=/etc/eks/kubelet/environment
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet $NODEADM_KUBELET_ARGS

Restart=on-failure
RestartForceExitStatus=SIGPIPE
RestartSec=5
KillMode=process
CPUAccounting=true
MemoryAccounting=true

[Install]
WantedBy=multi-user.target
`;

/** nodeadm's json.MarshalIndent(kubeletConfig, "", "    "): struct field order, sorted map keys,
 * TypeMeta last, and NO trailing newline (util.WriteFileWithDir writes the bytes as they are). */
function al2023KubeletConfig(
  make: boolean | string | null | undefined,
  hostnameIp: string,
  keys: Record<string, string> = {},
): string {
  const extra =
    (make === undefined ? '' : `\n    "makeIPTablesUtilChains": ${rawValue(make)},`) +
    Object.entries(keys)
      .map(([key, token]) => `\n    ${JSON.stringify(key)}: ${token},`)
      .join('');
  return `{
    "address": "0.0.0.0",
    "authentication": {
        "x509": {
            "clientCAFile": "/etc/kubernetes/pki/ca.crt"
        },
        "webhook": {
            "enabled": true,
            "cacheTTL": "2m0s"
        },
        "anonymous": {
            "enabled": false
        }
    },
    "authorization": {
        "mode": "Webhook",
        "webhook": {
            "cacheAuthorizedTTL": "5m0s",
            "cacheUnauthorizedTTL": "30s"
        }
    },
    "cgroupDriver": "systemd",
    "cgroupRoot": "/",
    "clusterDNS": [
        "10.100.0.10"
    ],
    "clusterDomain": "cluster.local",
    "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
    "evictionHard": {
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%"
    },
    "featureGates": {
        "DynamicResourceAllocation": true,
        "RotateKubeletServerCertificate": true
    },
    "hairpinMode": "hairpin-veth",
    "kubeReserved": {
        "cpu": "80m",
        "ephemeral-storage": "1Gi",
        "memory": "893Mi"
    },
    "kubeReservedCgroup": "/runtime",
    "logging": {
        "verbosity": 2
    },${extra}
    "maxPods": 58,
    "protectKernelDefaults": true,
    "providerID": "aws:///${REGION}a/i-0${hostnameIp.replaceAll('.', '')}abcdef",
    "readOnlyPort": 0,
    "serializeImagePulls": false,
    "serverTLSBootstrap": true,
    "systemReservedCgroup": "/system",
    "tlsCipherSuites": [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384"
    ],
    "kind": "KubeletConfiguration",
    "apiVersion": "kubelet.config.k8s.io/v1beta1"
}`;
}

const CONFIG_DIR = '/etc/kubernetes/kubelet/config.json.d';

function al2023(o: PresetOptions = {}): NodeTreeSpec {
  const ip = '10.0.45.67';
  const hostname = o.hostname ?? `ip-${ipDashes(ip)}.${REGION}.compute.internal`;
  const dropIns: Record<string, string> = { ...(o.dropIns ?? {}) };
  if (o.dropInMakeIptables !== undefined) {
    // util.Merge(TypeMeta, spec.kubelet.config) → a map, so json.MarshalIndent sorts the keys.
    dropIns['40-nodeadm.conf'] =
      `{\n    "apiVersion": "kubelet.config.k8s.io/v1beta1",\n    "kind": "KubeletConfiguration",\n    "makeIPTablesUtilChains": ${rawValue(o.dropInMakeIptables)}\n}`;
  }
  const useDir = Object.keys(dropIns).length > 0;
  // nodeadm writes its own flags in Go map order (unordered); this is one such order.
  const nodeadmFlags = [
    '--hostname-override=' + hostname,
    '--cloud-provider=external',
    `--node-ip=${ip}`,
    '--kubeconfig=/var/lib/kubelet/kubeconfig',
    '--image-credential-provider-bin-dir=/etc/eks/image-credential-provider',
    '--image-credential-provider-config=/etc/eks/image-credential-provider/config.json',
    '--node-labels=eks.amazonaws.com/nodegroup-image=ami-0a1b2c3d4e5f67890,eks.amazonaws.com/capacityType=ON_DEMAND,eks.amazonaws.com/nodegroup=standard-workers',
    '--config=/etc/kubernetes/kubelet/config.json',
    ...(useDir ? [`--config-dir=${CONFIG_DIR}`] : []),
  ];
  const userFlags = o.makeIptablesFlag ?? [];
  const onDisk = [...nodeadmFlags, ...userFlags, ...(o.onDiskExtraArgs ?? [])];
  const files: Record<string, SimEntry> = {
    '/usr/lib/os-release': AL2023_OS_RELEASE,
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/etc/systemd/system/kubelet.service': AL2023_KUBELET_SERVICE,
    // environment.go joins "KEY=value" lines with "\n" and writes no trailing newline.
    '/etc/eks/kubelet/environment': `NODEADM_KUBELET_ARGS=${onDisk.join(' ')}`,
    '/etc/kubernetes/kubelet/config.json': al2023KubeletConfig(o.configMakeIptables, ip, o.configKeys),
  };
  if (useDir) {
    files[CONFIG_DIR] = { dir: true };
    for (const [name, content] of Object.entries(dropIns)) files[`${CONFIG_DIR}/${name}`] = content;
  }
  Object.assign(
    files,
    kubeletHostFiles({
      version: 'v1.32.3-eks-7636447',
      kubeconfig: '/var/lib/kubelet/kubeconfig',
      kubeconfigMode: 0o644,
      ca: '/etc/kubernetes/pki/ca.crt',
    }),
  );
  const processes = baseProcesses(cgroupV2, podV2);
  if (o.kubeletRunning !== false) {
    processes.push({
      pid: KUBELET_PID,
      ppid: 1,
      exe: KUBELET_BINARY,
      argv: ['/usr/bin/kubelet', ...nodeadmFlags, ...userFlags],
      startTicks: BOOT_TICKS,
      cpuTicks: 196_540,
      cgroup: cgroupV2('runtime.slice/kubelet.service'),
    });
  }
  return merge({ hostname, uptimeSeconds: 172_845.91, processes, files }, o);
}

// --- Bottlerocket -----------------------------------------------------------------------------

const BOTTLEROCKET_OS_RELEASE = `NAME=Bottlerocket
ID=bottlerocket
VERSION="1.26.2 (aws-k8s-1.31)"
PRETTY_NAME="Bottlerocket OS 1.26.2 (aws-k8s-1.31)"
VARIANT_ID=aws-k8s-1.31
VERSION_ID=1.26.2
BUILD_ID=a9b4f7c1
HOME_URL="https://github.com/bottlerocket-os/bottlerocket"
SUPPORT_URL="https://github.com/bottlerocket-os/bottlerocket/discussions"
BUG_REPORT_URL="https://github.com/bottlerocket-os/bottlerocket/issues"
DOCUMENTATION_URL="https://bottlerocket.dev"
`;

/** packages/kubernetes-1.31/kubelet-config rendered with typical EKS settings (no cpu-manager,
 * memory-manager or eviction-soft settings given). Bottlerocket has no setting for makeIPTablesUtilChains. */
function bottlerocketKubeletConfig(make: boolean | string | null | undefined): string {
  return `---
kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
address: 0.0.0.0
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 2m0s
    enabled: true
  x509:
    clientCAFile: "/etc/kubernetes/pki/ca.crt"
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 5m0s
    cacheUnauthorizedTTL: 30s
clusterDomain: cluster.local
clusterDNS:
- 10.100.0.10
kubeReserved:
  cpu: "70m"
  memory: "574Mi"
  ephemeral-storage: "1Gi"
kubeReservedCgroup: "/runtime"
cpuCFSQuota: true
cpuManagerPolicy: none
podPidsLimit: 1048576
providerID: aws:///${REGION}c/i-0fedcba9876543210
resolvConf: "/run/netdog/resolv.conf"
hairpinMode: hairpin-veth
readOnlyPort: 0
cgroupDriver: systemd
cgroupRoot: "/"
runtimeRequestTimeout: 15m
protectKernelDefaults: true
serializeImagePulls: false
seccompDefault: false
serverTLSBootstrap: true
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305
- TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
- TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305
- TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
volumePluginDir: "/var/lib/kubelet/plugins/volume/exec"
maxPods: 29
staticPodPath: "/etc/kubernetes/static-pods/"
failSwapOn: false
enableDebuggingHandlers: false
${make === undefined ? '' : `makeIPTablesUtilChains: ${rawValue(make)}\n`}`;
}

const BOTTLEROCKET_KUBELET_SERVICE = `[Unit]
Description=Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service configured.target
Wants=configured.target
Requires=containerd.service

[Service]
Type=notify
Slice=runtime.slice
EnvironmentFile=/etc/network/net.env
EnvironmentFile=/etc/kubernetes/kubelet/env
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT
ExecStartPre=/usr/bin/host-ctr --containerd-socket=/run/containerd/containerd.sock --namespace=k8s.io pull-image --source=\${POD_INFRA_CONTAINER_IMAGE} --registry-config=/etc/host-containers/host-ctr.toml --skip-if-image-exists=true
ExecStart=/usr/bin/kubelet
Restart=always
RestartSec=5
Delegate=yes
KillMode=process
CPUAccounting=true
MemoryAccounting=true

[Install]
WantedBy=multi-user.target
`;

function bottlerocketHost(o: PresetOptions = {}): NodeTreeSpec {
  const ip = '192.168.84.28';
  const hostname = o.hostname ?? `ip-${ipDashes(ip)}.${REGION}.compute.internal`;
  const labels =
    'eks.amazonaws.com/nodegroup-image=ami-06abf956961f9530b,eks.amazonaws.com/capacityType=ON_DEMAND,eks.amazonaws.com/nodegroup=bottlerocket-ng';
  const pause = `602401143452.dkr.ecr.${REGION}.amazonaws.com/eks/pause:3.1-eksbuild.1`;
  const extra = o.makeIptablesFlag ?? [];
  const argv = [
    '/usr/bin/kubelet',
    '--cloud-provider',
    'external',
    '--kubeconfig',
    '/etc/kubernetes/kubelet/kubeconfig',
    '--config',
    '/etc/kubernetes/kubelet/config',
    '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
    '--containerd=/run/containerd/containerd.sock',
    '--root-dir',
    '/var/lib/kubelet',
    '--cert-dir',
    '/var/lib/kubelet/pki',
    '--image-credential-provider-bin-dir',
    '/usr/libexec/kubernetes/kubelet/plugins',
    '--image-credential-provider-config',
    '/etc/kubernetes/kubelet/credential-provider-config.yaml',
    '--hostname-override',
    hostname,
    '--node-ip',
    ip,
    '--node-labels',
    labels,
    // "${NODE_TAINTS}" is empty on most nodes: systemd passes an empty argument.
    '--register-with-taints',
    '',
    '--pod-infra-container-image',
    pause,
    ...extra,
  ];
  const execStart = `[Service]
ExecStart=
ExecStart=/usr/bin/kubelet \\
    --cloud-provider external \\
    --kubeconfig /etc/kubernetes/kubelet/kubeconfig \\
    --config /etc/kubernetes/kubelet/config \\
    --container-runtime-endpoint=unix:///run/containerd/containerd.sock \\
    --containerd=/run/containerd/containerd.sock \\
    --root-dir /var/lib/kubelet \\
    --cert-dir /var/lib/kubelet/pki \\
    --image-credential-provider-bin-dir /usr/libexec/kubernetes/kubelet/plugins \\
    --image-credential-provider-config /etc/kubernetes/kubelet/credential-provider-config.yaml \\
    --hostname-override ${hostname} \\
    --node-ip \${NODE_IP} \\
    --node-labels "\${NODE_LABELS}" \\
    --register-with-taints "\${NODE_TAINTS}" \\
    --pod-infra-container-image \${POD_INFRA_CONTAINER_IMAGE}${extra.length ? ` \\\n    ${extra.join(' ')}` : ''}
`;
  const files: Record<string, SimEntry> = {
    '/usr/lib/os-release': BOTTLEROCKET_OS_RELEASE,
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/usr/lib/systemd/system/kubelet.service': BOTTLEROCKET_KUBELET_SERVICE,
    '/etc/systemd/system/kubelet.service.d/exec-start.conf': execStart,
    '/etc/kubernetes/kubelet/env': `NODE_IP=${ip}\nNODE_LABELS=${labels}\nNODE_TAINTS=\nPOD_INFRA_CONTAINER_IMAGE=${pause}\n`,
    '/etc/network/net.env': `IPV6_ENABLED=false\n`,
    '/etc/kubernetes/kubelet/config': bottlerocketKubeletConfig(o.configMakeIptables),
  };
  const processes = baseProcesses(cgroupV2, podV2).filter((p) => p.pid !== 2605 && p.pid !== 2720);
  // On Bottlerocket the SSM agent runs inside the control container, not as a host service.
  processes.push({
    pid: 2605,
    ppid: 1501,
    argv: ['/usr/bin/amazon-ssm-agent'],
    startTicks: 1900,
    cgroup: cgroupV2('system.slice/host-containers@control.service'),
    mntNs: 'mnt:[4026532212]',
  });
  Object.assign(
    files,
    kubeletHostFiles({
      version: 'v1.31.7-eks-e2c3a5b',
      kubeconfig: '/etc/kubernetes/kubelet/kubeconfig',
      kubeconfigMode: 0o600,
      ca: '/etc/kubernetes/pki/ca.crt',
    }),
  );
  if (o.kubeletRunning !== false) {
    processes.push({
      pid: KUBELET_PID,
      ppid: 1,
      exe: KUBELET_BINARY,
      argv,
      startTicks: BOOT_TICKS,
      cpuTicks: 90_210,
      cgroup: cgroupV2('runtime.slice/kubelet.service'),
    });
  }
  return merge({ hostname, uptimeSeconds: 5_423.77, processes, files }, o);
}

/**
 * The view from Bottlerocket's control container, where the SSM agent (and so our script) runs.
 * host-ctr (bottlerocket-os/bottlerocket `sources/host-ctr/cmd/host-ctr/main.go`) gives a host container
 * its own PID and mount namespaces and mounts in only /run/api.sock, the apiclient binary at
 * /usr/local/bin/apiclient, and the container's persistent storage at /.bottlerocket/host-containers/<name>
 * (with "current" pointing at it). Only "superpowered" containers (admin) also get the host root at
 * /.bottlerocket/rootfs. So: the image's own Amazon Linux userland, a handful of processes, no kubelet,
 * no kubelet files, no /.bottlerocket/rootfs.
 */
function bottlerocketControlContainer(o: PresetOptions = {}): NodeTreeSpec {
  const files: Record<string, SimEntry> = {
    '/etc/os-release': AL2023_OS_RELEASE,
    '/run/api.sock': '',
    '/usr/local/bin/apiclient': { content: fakeApiclient(bloodhoundReport(o.apiChecks)), mode: 0o755 },
    '/.bottlerocket/host-containers/control/user-data': '',
    '/.bottlerocket/host-containers/current': { symlink: 'control' },
  };
  // cgroup namespaces: every process sees its own cgroup as "/".
  const processes: SimProcess[] = [
    { pid: 1, ppid: 0, argv: ['/usr/bin/amazon-ssm-agent'], startTicks: 1900, cgroup: '0::/\n' },
    { pid: 17, ppid: 1, argv: ['/usr/bin/ssm-agent-worker'], startTicks: 1950, cgroup: '0::/\n' },
    {
      pid: 3051,
      ppid: 17,
      argv: ['/usr/bin/ssm-document-worker', '3f1c9a7e-5b7e-4c1e-9f55-6a0c2d1e8b44', '3f1c9a7e-5b7e-4c1e'],
      startTicks: 540_000,
      cgroup: '0::/\n',
    },
    {
      pid: 3060,
      ppid: 3051,
      argv: [
        'sh',
        '-c',
        '/var/lib/amazon/ssm/i-0fedcba9876543210/document/orchestration/3f1c9a7e-5b7e-4c1e-9f55-6a0c2d1e8b44/awsrunShellScript/collect/_script.sh',
      ],
      startTicks: 540_010,
      cgroup: '0::/\n',
    },
  ];
  return merge(
    {
      hostname: o.hostname ?? 'ip-192-168-84-28.us-west-2.compute.internal',
      uptimeSeconds: 5_423.77,
      processes,
      files,
    },
    o,
  );
}

// --- kubeadm (generic) ------------------------------------------------------------------------

const KUBEADM_KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

const KUBEADM_DROPIN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

function kubeadmConfig(make: boolean | string | null | undefined): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
${make === undefined ? '' : `makeIPTablesUtilChains: ${rawValue(make)}\n`}memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;
}

const UBUNTU_OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;

function kubeadm(o: PresetOptions = {}): NodeTreeSpec {
  const hostname = o.hostname ?? 'worker-1';
  const dropIns = o.dropIns ?? {};
  const useDir = Object.keys(dropIns).length > 0;
  const kubeadmArgs = [
    '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock',
    '--pod-infra-container-image=registry.k8s.io/pause:3.9',
  ];
  const extra = o.makeIptablesFlag ?? [];
  const argv = [
    '/usr/bin/kubelet',
    '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
    '--kubeconfig=/etc/kubernetes/kubelet.conf',
    '--config=/var/lib/kubelet/config.yaml',
    ...kubeadmArgs,
    ...(useDir ? ['--config-dir=/etc/kubernetes/kubelet.conf.d'] : []),
    ...extra,
  ];
  const files: Record<string, SimEntry> = {
    '/usr/lib/os-release': UBUNTU_OS_RELEASE,
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/usr/lib/systemd/system/kubelet.service': KUBEADM_KUBELET_SERVICE,
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': KUBEADM_DROPIN,
    '/var/lib/kubelet/kubeadm-flags.env': `KUBELET_KUBEADM_ARGS="${kubeadmArgs.join(' ')}"\n`,
    '/var/lib/kubelet/config.yaml': kubeadmConfig(o.configMakeIptables),
  };
  if (extra.length > 0 || useDir) {
    const all = [...(useDir ? ['--config-dir=/etc/kubernetes/kubelet.conf.d'] : []), ...extra];
    files['/etc/default/kubelet'] = `KUBELET_EXTRA_ARGS=${all.join(' ')}\n`;
  }
  for (const [name, content] of Object.entries(dropIns))
    files[`/etc/kubernetes/kubelet.conf.d/${name}`] = content;
  Object.assign(
    files,
    kubeletHostFiles({
      version: 'v1.32.3',
      kubeconfig: '/etc/kubernetes/kubelet.conf',
      kubeconfigMode: 0o600,
      ca: '/etc/kubernetes/pki/ca.crt',
    }),
  );
  const processes = baseProcesses(cgroupV2, podV2);
  if (o.kubeletRunning !== false) {
    processes.push({
      pid: KUBELET_PID,
      ppid: 1,
      exe: KUBELET_BINARY,
      argv,
      startTicks: BOOT_TICKS,
      cpuTicks: 12_345,
      cgroup: cgroupV2('system.slice/kubelet.service'),
    });
  }
  return merge({ hostname, uptimeSeconds: 3_600.5, processes, files }, o);
}

// --- Special cases ----------------------------------------------------------------------------

/** An AL2023 node whose kubelet is not running (crashed or stopped): files stay, no process. */
function noKubelet(o: PresetOptions = {}): NodeTreeSpec {
  return al2023({ ...o, kubeletRunning: false });
}

/** A pod whose container runs a binary called kubelet (kind, a kubelet-in-docker test, or an
 * attacker's decoy), plus the real host kubelet unless `kubeletRunning: false`. */
function containerNamedKubelet(o: PresetOptions = {}): NodeTreeSpec {
  const base = al2023(o);
  base.processes.push({
    pid: 9120,
    ppid: 9101,
    argv: [
      '/usr/local/bin/kubelet',
      '--config=/var/lib/kubelet/config.yaml',
      '--make-iptables-util-chains=false',
    ],
    startTicks: 90_000,
    cgroup: cgroupV2(
      'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-77aa55cc33ee11ff0099887766554433221100ffeeddccbbaa99887766554433.scope',
    ),
    mntNs: 'mnt:[4026532555]',
  });
  return base;
}

/** Someone runs `ps -ef | grep kubelet` and a script mentioning kubelet while the collector runs. */
function grepNoise(o: PresetOptions = {}): NodeTreeSpec {
  const base = al2(o);
  base.processes.push(
    { pid: 52001, ppid: 51990, argv: ['grep', '--color=auto', 'kubelet'], startTicks: 8_600_100, uid: 1000 },
    {
      pid: 52010,
      ppid: 51990,
      argv: ['bash', '-c', 'while sleep 5; do systemctl is-active kubelet; done'],
      startTicks: 8_600_110,
      uid: 1000,
    },
    // A shell script named kubelet: the kernel sets comm from the script's file name, argv[0] is the interpreter.
    {
      pid: 52020,
      ppid: 1,
      argv: ['/bin/bash', '/usr/local/bin/kubelet', '--version'],
      name: 'kubelet',
      startTicks: 8_600_120,
    },
  );
  return base;
}

// --- Nodes that fail the authentication, authorization and port controls ----------------------

const AL2023_CONFIG_FLAG = '--config=/etc/kubernetes/kubelet/config.json';

/** A drop-in that reads like a whole kubelet config but leaves anonymous auth, authorization and the
 * read-only port unset (nodeadm's json.MarshalIndent style, keys sorted). */
const LEGACY_DROP_IN = `{
    "apiVersion": "kubelet.config.k8s.io/v1beta1",
    "authentication": {
        "webhook": {
            "enabled": true
        },
        "x509": {
            "clientCAFile": "/etc/kubernetes/pki/ca.crt"
        }
    },
    "cgroupDriver": "systemd",
    "clusterDNS": [
        "10.100.0.10"
    ],
    "clusterDomain": "cluster.local",
    "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
    "kind": "KubeletConfiguration"
}`;

/**
 * An AL2023 kubelet started WITHOUT --config but with its --config-dir drop-ins (the --config flag
 * lost in an edit of the unit or NodeConfig flags): the kubelet merges the drop-ins onto its legacy
 * flag defaults (k8s cmd/kubelet/app/server.go NewKubeletCommand, options.go applyLegacyDefaults), so
 * anonymous auth is on, authorization is AlwaysAllow and the read-only port is 10255.
 */
function legacyDefaults(o: PresetOptions = {}): NodeTreeSpec {
  const spec = al2023({ ...o, dropIns: { '40-nodeadm.conf': LEGACY_DROP_IN, ...o.dropIns } });
  for (const p of spec.processes) {
    if (p.pid === KUBELET_PID) p.argv = p.argv.filter((a) => a !== AL2023_CONFIG_FLAG);
  }
  const environment = spec.files['/etc/eks/kubelet/environment'];
  if (typeof environment === 'string') {
    spec.files['/etc/eks/kubelet/environment'] = environment.replace(` ${AL2023_CONFIG_FLAG}`, '');
  }
  delete spec.files['/etc/kubernetes/kubelet/config.json'];
  return spec;
}

/** nodeadm's config.json with an extra drop-in after its own that opens the read-only port. */
function al2023DropInReadOnlyPort(o: PresetOptions = {}): NodeTreeSpec {
  const readOnly = `{\n    "apiVersion": "kubelet.config.k8s.io/v1beta1",\n    "kind": "KubeletConfiguration",\n    "readOnlyPort": 10255\n}`;
  return al2023({ ...o, dropIns: { '50-read-only-port.conf': readOnly, ...o.dropIns } });
}

/** A user flag in the NodeConfig that turns the streaming idle timeout off (a flag zero is kept). */
function al2023FlagStreamingZero(o: PresetOptions = {}): NodeTreeSpec {
  return al2023({
    ...o,
    makeIptablesFlag: ['--streaming-connection-idle-timeout=0', ...(o.makeIptablesFlag ?? [])],
  });
}

// --- File controls (CIS EKS 3.1.x) ------------------------------------------------------------

/** The kubeconfig file as kubeletHostFiles writes it, with another mode or owner. */
function kubeconfigAt(mode: number, uid?: number): SimEntry {
  return {
    content: `apiVersion: v1\nkind: Config\n# ${KUBECONFIG_SECRET_MARKER}\n`,
    mode,
    ...(uid === undefined ? {} : { uid }),
  };
}

/** Options with `files` added before the caller's own extra files (which win). */
function withFiles(o: PresetOptions, files: Record<string, SimEntry>): PresetOptions {
  return { ...o, extraFiles: { ...files, ...(o.extraFiles ?? {}) } };
}

/** nodeadm's drop-in (40-nodeadm.conf) for a NodeConfig that sets maxPods, written group-writable. */
function al2023DropIn0664(o: PresetOptions = {}): NodeTreeSpec {
  const content = `{\n    "apiVersion": "kubelet.config.k8s.io/v1beta1",\n    "kind": "KubeletConfiguration",\n    "maxPods": 110\n}`;
  const dropIns = { '40-nodeadm.conf': content, ...(o.dropIns ?? {}) };
  return al2023(
    withFiles({ ...o, dropIns }, { [`${CONFIG_DIR}/40-nodeadm.conf`]: { content, mode: 0o664 } }),
  );
}

/**
 * Named presets of simulated nodes. Each is a function of PresetOptions so the emulator can vary
 * them; the `*-false` presets are ready-made failing nodes.
 */
export const nodePresets = {
  al2,
  'al2-flag-false': (o: PresetOptions = {}) =>
    al2({ ...o, makeIptablesFlag: ['--make-iptables-util-chains=false', ...(o.makeIptablesFlag ?? [])] }),
  'al2-config-false': (o: PresetOptions = {}) => al2({ configMakeIptables: false, ...o }),
  al2023,
  'al2023-flag-false': (o: PresetOptions = {}) =>
    al2023({ ...o, makeIptablesFlag: ['--make-iptables-util-chains=false', ...(o.makeIptablesFlag ?? [])] }),
  'al2023-dropin-false': (o: PresetOptions = {}) => al2023({ dropInMakeIptables: false, ...o }),
  // nodeadm spec.kubelet.flags turning the gate off; serverTLSBootstrap must go too, because the
  // kubelet refuses serverTLSBootstrap: true (nodeadm's config.json) with the gate off (validation.go).
  'al2023-server-cert-gate-false': (o: PresetOptions = {}) =>
    al2023({
      ...o,
      makeIptablesFlag: [
        '--feature-gates=RotateKubeletServerCertificate=false',
        '--rotate-server-certificates=false',
        ...(o.makeIptablesFlag ?? []),
      ],
    }),
  'al2-rotate-certificates-false': (o: PresetOptions = {}) =>
    al2({ ...o, configKeys: { rotateCertificates: 'false', ...o.configKeys } }),
  // A value the kubelet refuses (validation.go): judged WARNING, never PASSED.
  'al2023-event-qps-negative': (o: PresetOptions = {}) =>
    al2023({ ...o, configKeys: { eventRecordQPS: '-1', ...o.configKeys } }),
  'legacy-defaults': legacyDefaults,
  'al2023-dropin-read-only-port': al2023DropInReadOnlyPort,
  'al2023-flag-streaming-zero': al2023FlagStreamingZero,
  'bottlerocket-host': bottlerocketHost,
  'bottlerocket-control-container': bottlerocketControlContainer,
  kubeadm,
  'no-kubelet': noKubelet,
  'container-named-kubelet': containerNamedKubelet,
  'grep-noise': grepNoise,
  // The file controls' nodes: one failing each of 3.1.1-3.1.3, and a symlinked kubeconfig that passes.
  'al2023-kubeconfig-world-writable': (o: PresetOptions = {}) =>
    al2023(withFiles(o, { '/var/lib/kubelet/kubeconfig': kubeconfigAt(0o666) })),
  'al2-kubeconfig-user-owned': (o: PresetOptions = {}) =>
    al2(withFiles(o, { '/var/lib/kubelet/kubeconfig': kubeconfigAt(0o644, 1000) })),
  'al2023-dropin-0664': al2023DropIn0664,
  'al2023-kubeconfig-symlink': (o: PresetOptions = {}) =>
    al2023(
      withFiles(o, {
        '/var/lib/kubelet/kubeconfig': { symlink: '/etc/kubernetes/kubelet/kubeconfig' },
        '/etc/kubernetes/kubelet/kubeconfig': kubeconfigAt(0o600),
      }),
    ),
} as const satisfies Record<string, NodePreset>;

export type NodePresetName = keyof typeof nodePresets;
