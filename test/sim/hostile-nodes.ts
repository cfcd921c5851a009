/**
 * Hostile simulated nodes: each is a normal preset (test/sim/node-tree.ts) with secrets planted where
 * a careless collector would read them, every secret a unique canary string. The collector's output
 * is readable by anyone with ssm:Get* / ssm:List* for 30 days, so no canary may ever appear in it.
 *
 * Every hostile node also carries /etc/shadow with its own canary: root can read it, and several traps
 * below point at it.
 */
import { type NodeTreeSpec, nodePresets, type SimEntry } from './node-tree.ts';

export interface HostileNode {
  readonly spec: NodeTreeSpec;
  /** Strings that must not appear in any output of the collector on this node. */
  readonly canaries: readonly string[];
  /** What is hostile here, for test names. */
  readonly what: string;
}

const CONFIG_DIR = '/etc/kubernetes/kubelet/config.json.d';
/** A harmless drop-in, so that the AL2023 preset passes --config-dir. */
const HARMLESS_DROPIN = {
  '10-max-pods.conf':
    '{"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "maxPods": 58}\n',
};

function canary(node: string, place: string): string {
  return `KA-CANARY-${node}-${place}-7f3a9c`;
}

/** /etc/shadow (and a private key) every hostile node carries. */
function secretsOnDisk(node: string): Record<string, SimEntry> {
  return {
    '/etc/shadow': `root:${canary(node, 'shadow')}:19700:0:99999:7:::\nec2-user:!!:19700:0:99999:7:::\n`,
    '/root/.ssh/id_ed25519': `-----BEGIN OPENSSH PRIVATE KEY-----\n${canary(node, 'key')}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

function build(
  name: string,
  what: string,
  make: (c: (place: string) => string) => { spec: NodeTreeSpec; places: string[] },
): [string, HostileNode] {
  const c = (place: string) => canary(name, place);
  const { spec, places } = make(c);
  spec.files = { ...secretsOnDisk(name), ...spec.files };
  return [name, { spec, what, canaries: ['shadow', 'key', ...places].map(c) }];
}

/** Files next to the drop-ins that the kubelet never reads: secrets, and links to secrets. */
const configDirSecrets = build('configdir', 'non-.conf files and symlinks in --config-dir', (c) => ({
  places: ['file', 'bak', 'huge'],
  spec: nodePresets.al2023({
    dropIns: HARMLESS_DROPIN,
    extraFiles: {
      [`${CONFIG_DIR}/credentials`]: `aws_secret_access_key = ${c('file')}\n`,
      [`${CONFIG_DIR}/20-old.conf.bak`]: `{"kind": "KubeletConfiguration", "token": "${c('bak')}"}\n`,
      [`${CONFIG_DIR}/id_ed25519`]: { symlink: '/root/.ssh/id_ed25519' },
      [`${CONFIG_DIR}/shadow`]: { symlink: '../../../shadow' },
      [`${CONFIG_DIR}/big.log`]: `${'x'.repeat(3_000_000)}${c('huge')}`,
    },
  }),
}));

/** *.conf drop-ins that are a FIFO, link to /dev/zero (a read would never end) or link to a FIFO. */
const configDirTraps = build('traps', 'a FIFO and a /dev/zero symlink as *.conf drop-ins', () => ({
  places: [],
  spec: nodePresets.al2023({
    dropIns: HARMLESS_DROPIN,
    extraFiles: {
      [`${CONFIG_DIR}/20-fifo.conf`]: { fifo: true },
      [`${CONFIG_DIR}/30-zero.conf`]: { symlink: '/dev/zero' },
      '/dev/zero': { fifo: true },
      [`${CONFIG_DIR}/40-link.conf`]: { symlink: '/run/kubelet/pipe' },
      '/run/kubelet/pipe': { fifo: true },
    },
  }),
}));

/** --config itself is a FIFO. */
const fifoConfig = build('fifoconfig', '--config is a FIFO', () => ({
  places: [],
  spec: nodePresets.al2({
    extraFiles: { '/etc/kubernetes/kubelet/kubelet-config.json': { fifo: true } },
  }),
}));

/** Proxy credentials and cloud keys in unit drop-ins and environment files. */
const unitSecrets = build('unit', 'secrets in unit drop-ins and environment files', (c) => {
  const base = nodePresets.al2();
  const argsDropIn = '/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf';
  // The same KUBELET_ARGS the kubelet runs with, next to a secret in the same Environment= line.
  const args = String(base.files[argsDropIn]).trimEnd();
  return {
    places: ['proxy', 'proxy2', 'same-line', 'etc-env', 'env-file', 'huge-env', 'comment'],
    spec: nodePresets.al2({
      extraFiles: {
        [argsDropIn]: `${args} "AWS_SECRET_ACCESS_KEY=${c('same-line')}"\n# token ${c('comment')}\n`,
        '/etc/systemd/system/kubelet.service.d/http-proxy.conf': `[Service]\nEnvironment="HTTPS_PROXY=http://user:${c('proxy')}@proxy.corp:3128" "NO_PROXY=169.254.169.254"\nEnvironment=HTTP_PROXY=http://user:${c('proxy2')}@proxy.corp:3128\n`,
        '/etc/systemd/system/kubelet.service.d/90-env.conf': `[Service]\nEnvironmentFile=/etc/environment\nEnvironmentFile=-/etc/kubelet-secrets.env\nEnvironmentFile=-/etc/kubelet-huge.env\n`,
        '/etc/environment': `AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=${c('etc-env')}\n`,
        '/etc/kubelet-secrets.env': `export DB_PASSWORD=${c('env-file')}\nKUBELET_TOKEN="${c('env-file')}" \\\n  continued\n`,
        '/etc/kubelet-huge.env': `BLOB=${'y'.repeat(200_000)}${c('huge-env')}`,
      },
    }),
  };
});

/** nodeadm's environment file with a cloud key beside NODEADM_KUBELET_ARGS. */
const nodeadmEnv = build('nodeadm', 'a secret in /etc/eks/kubelet/environment', (c) => {
  const base = nodePresets.al2023();
  const envPath = '/etc/eks/kubelet/environment';
  return {
    places: ['env'],
    spec: nodePresets.al2023({
      extraFiles: { [envPath]: `${String(base.files[envPath])}\nAWS_SECRET_ACCESS_KEY=${c('env')}` },
    }),
  };
});

/** The real kubelet is restarting; a user's process named kubelet points --config at /etc/shadow. */
const userKubelet = build('userkubelet', 'a uid-1000 kubelet while the real one is missing', () => ({
  places: [],
  spec: nodePresets.al2023({
    kubeletRunning: false,
    extraProcesses: [
      {
        pid: 7001,
        ppid: 6990,
        uid: 1000,
        argv: ['/home/ec2-user/kubelet', '--config=../../etc/shadow', '--make-iptables-util-chains=false'],
        cwd: '/home/ec2-user',
        cgroup: '0::/user.slice/user-1000.slice/session-3.scope\n',
      },
    ],
  }),
}));

/** --config points at the kubelet's own environment in /proc. */
const procConfig = build('proc', '--config=/proc/self/environ', (c) => ({
  places: ['environ'],
  spec: nodePresets.al2({
    makeIptablesFlag: ['--config=/proc/self/environ'],
    extraFiles: {
      '/proc/self': { symlink: '3187' },
      '/proc/3187/environ': `HOME=/\0AWS_SECRET_ACCESS_KEY=${c('environ')}\0`,
    },
  }),
}));

/** Terminal escape sequences in the host name and os-release, and a secret in os-release. */
const escapes = build('escapes', 'escape sequences in the host name and os-release', (c) => ({
  places: ['os'],
  spec: nodePresets.al2({
    hostname: 'ip-10-0-12-34\x1b]0;owned\x07\x1b[2J\x9b31m',
    extraFiles: {
      '/etc/os-release': `NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2\x1b[31m\x1b]8;;http://evil/\x07"\nSUPPORT_TOKEN=${c('os')}\n`,
    },
  }),
}));

/**
 * Configuration nested deep enough to exhaust a recursive parser: a drop-in of 5,000 "[", inside the
 * 8,000-character cap, so the evaluator sees all of it.
 */
const deepYaml = build('deep', 'configuration nested thousands of levels deep', () => ({
  places: [],
  spec: nodePresets.al2023({
    dropIns: { '50-deep.conf': '['.repeat(5_000) },
  }),
}));

export const hostileNodes: Readonly<Record<string, HostileNode>> = Object.fromEntries([
  configDirSecrets,
  configDirTraps,
  fifoConfig,
  unitSecrets,
  nodeadmEnv,
  userKubelet,
  procConfig,
  escapes,
  deepYaml,
]);
