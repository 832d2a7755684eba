import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../ports.js';

const run = promisify(execFile);
const NB_SCHEMA = '/usr/share/ovn/ovn-nb.ovsschema';
const SB_SCHEMA = '/usr/share/ovn/ovn-sb.ovsschema';
const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

/** Why the OVN binaries cannot be used here, or undefined when they can. */
export function ovnMissing(): string | undefined {
  for (const f of ['/usr/sbin/ovsdb-server', '/usr/bin/ovn-northd', NB_SCHEMA, SB_SCHEMA, VSWITCH_SCHEMA]) {
    if (!existsSync(f) && !existsSync(f.replace('/usr/sbin/', '/usr/bin/'))) return `${f} missing: install Debian ovn-central ovn-host openvswitch-switch`;
  }
  return undefined;
}

/** One ovsdb-server child on a temp-dir socket and a loopback TCP port. */
export interface DbServer {
  readonly name: string;
  readonly socket: string;
  readonly tcpPort: number;
  /** `unix:<socket>` */
  readonly unix: string;
  /** `tcp:127.0.0.1:<port>` */
  readonly tcp: string;
  process: ChildProcess;
  /** kill -9 and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same file, socket and port. */
  restart(): Promise<void>;
}

/** PEM files of a throwaway CA, a server and a client certificate (made with openssl for `ssl:` tests). */
export interface TestPki {
  readonly ca: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
}

/** Makes a CA and two certificates it signs, in `dir`. */
export async function makePki(dir: string): Promise<TestPki> {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => run('openssl', args);
  await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=test-ca');
  for (const who of ['server', 'client']) {
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`), '-subj', `/CN=${who}`);
    await ssl('x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${who}.pem`), '-days', '2');
  }
  return { ca: f('ca.pem'), serverKey: f('server.key'), serverCert: f('server.pem'), clientKey: f('client.key'), clientCert: f('client.pem') };
}

export interface LocalOvnOptions {
  /** `standalone` (default) or a 3-member raft NB. */
  readonly nb?: 'standalone' | 'raft';
  /** Also SB, northd, OVS + ovs-vswitchd (dummy datapath), br-int and ovn-controller as chassis `node-1`. */
  readonly full?: boolean;
  /** Standalone NB also listens with SSL on a loopback port (`nbSsl`), with certificates from `makePki`. */
  readonly ssl?: boolean;
  /**
   * Daemons in their own process group, so a Ctrl-C at the terminal does not reach them: for a
   * caller (the demo) that stops its controller first and the OVN after, on its own signal
   * handlers. Tests leave it off, so an interrupted run takes the daemons with it.
   */
  readonly ownProcessGroup?: boolean;
}

/** The daemons started so far, and whether they get a process group of their own. */
class Children extends Set<ChildProcess> {
  constructor(readonly ownProcessGroup: boolean) {
    super();
  }
}

export interface LocalOvn {
  readonly dir: string;
  readonly nb: readonly DbServer[];
  /** The `--ovn-nb-addr` value listing every NB member (tcp). */
  readonly nbAddr: string;
  readonly sb?: DbServer;
  /** With `ssl`: the `ssl:127.0.0.1:PORT` endpoint and the PEM files. */
  readonly nbSsl?: { readonly addr: string; readonly pki: TestPki };
  readonly ovsSocket?: string;
  /** Environment for ovs-vsctl / ovn-nbctl / ovn-trace on this OVN. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs a command with `env`; resolves its stdout. */
  exec(cmd: string, args: readonly string[]): Promise<string>;
  /** The index of the current raft leader of NB (0 for standalone). */
  nbLeader(): Promise<number>;
  stop(): Promise<void>;
  /** Last resort (a process `exit` handler): SIGKILLs every child at once, synchronously; leaves the temp dir. */
  killNow(): void;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`local OVN: ${what} not ready within ${timeoutMs} ms`);
}

function spawnChild(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, children: Children): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: children.ownProcessGroup });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (code !== 0 && code !== null && signal === null) process.stderr.write(`local OVN: ${cmd} exited ${code}: ${stderr}\n`);
  });
  children.add(child);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts the components on sockets in a fresh temp dir; `stop()` kills every child and removes the dir. */
export async function startLocalOvn(options: LocalOvnOptions = {}): Promise<LocalOvn> {
  const dir = await mkdtemp(join(tmpdir(), 'ovn-'));
  const children = new Children(options.ownProcessGroup === true);
  const env = { ...process.env, OVN_RUNDIR: dir, OVS_RUNDIR: dir, OVS_DBDIR: dir, OVS_LOGDIR: dir, OVN_LOGDIR: dir };
  const exec = async (cmd: string, args: readonly string[]) => (await run(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const stopAll = async () => {
    const list = [...children];
    for (const c of list) c.kill('SIGKILL');
    await Promise.all(list.map(exited));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pki = options.ssl === true ? await makePki(dir) : undefined;
    const sslPort = pki === undefined ? 0 : await freePort();
    const sslArgs = pki === undefined ? [] : [`--remote=pssl:${sslPort}:127.0.0.1`, `--private-key=${pki.serverKey}`, `--certificate=${pki.serverCert}`, `--ca-cert=${pki.ca}`];
    const nb = options.nb === 'raft' ? await raftNb(dir, env, children, exec) : [await dbServer('nb', dir, NB_SCHEMA, env, children, exec, sslArgs)];
    const nbAddr = nb.map((s) => s.tcp).join(',');
    const ovn: LocalOvn = {
      dir, nb, nbAddr, env, exec,
      nbLeader: async () => (options.nb === 'raft' ? raftLeader(nb, exec) : 0),
      stop: stopAll,
      killNow: () => {
        for (const c of children) c.kill('SIGKILL');
      },
      ...(pki === undefined ? {} : { nbSsl: { addr: `ssl:127.0.0.1:${sslPort}`, pki } }),
      ...(options.full === true ? await fullStack(dir, env, children, exec, nb) : {}),
    };
    return ovn;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

type Exec = (cmd: string, args: readonly string[]) => Promise<string>;

async function dbServer(name: string, dir: string, schema: string | undefined, env: NodeJS.ProcessEnv, children: Children, exec: Exec, extraArgs: string[] = []): Promise<DbServer> {
  const file = join(dir, `${name}.db`);
  if (schema !== undefined) await exec('ovsdb-tool', ['create', file, schema]);
  const socket = join(dir, `${name}.sock`);
  const tcpPort = await freePort();
  const args = ['--no-chdir', `--log-file=${join(dir, `${name}.log`)}`, `--unixctl=${join(dir, `${name}.ctl`)}`, `--remote=punix:${socket}`, `--remote=ptcp:${tcpPort}:127.0.0.1`, ...extraArgs, file];
  const server: DbServer = {
    name, socket, tcpPort, unix: `unix:${socket}`, tcp: `tcp:127.0.0.1:${tcpPort}`,
    process: spawnChild('ovsdb-server', args, env, children),
    async kill() {
      server.process.kill('SIGKILL');
      await exited(server.process);
    },
    async restart() {
      // kill -9 leaves the socket file behind; wait for the new one, not the stale one.
      await rm(socket, { force: true });
      server.process = spawnChild('ovsdb-server', args, env, children);
      await waitFor(`${name} socket`, () => existsSync(socket));
    },
  };
  await waitFor(`${name} socket`, () => existsSync(socket));
  return server;
}

async function raftNb(dir: string, env: NodeJS.ProcessEnv, children: Children, exec: Exec): Promise<DbServer[]> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const raft = ports.map((p) => `tcp:127.0.0.1:${p}`);
  await exec('ovsdb-tool', ['create-cluster', join(dir, 'nb0.db'), NB_SCHEMA, raft[0] as string]);
  for (const i of [1, 2]) await exec('ovsdb-tool', ['join-cluster', join(dir, `nb${i}.db`), 'OVN_Northbound', raft[i] as string, raft[0] as string]);
  const servers: DbServer[] = [];
  for (const i of [0, 1, 2]) servers.push(await dbServer(`nb${i}`, dir, undefined, env, children, exec));
  await waitFor('raft NB leader', async () => (await raftLeader(servers, exec).catch(() => -1)) >= 0, 30_000);
  return servers;
}

async function raftLeader(servers: readonly DbServer[], exec: Exec): Promise<number> {
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i] as DbServer;
    if (s.process.exitCode !== null || s.process.signalCode !== null) continue;
    const out = await exec('ovs-appctl', ['-t', s.socket.replace(/\.sock$/, '.ctl'), 'cluster/status', 'OVN_Northbound']).catch(() => '');
    if (/^Role: leader/m.test(out) && /^Status: cluster member/m.test(out)) return i;
  }
  return -1;
}

async function fullStack(dir: string, env: NodeJS.ProcessEnv, children: Children, exec: Exec, nb: readonly DbServer[]) {
  const sb = await dbServer('sb', dir, SB_SCHEMA, env, children, exec);
  const nbRemote = nb.map((s) => s.unix).join(',');
  spawnChild('ovn-northd', ['--no-chdir', `--ovnnb-db=${nbRemote}`, `--ovnsb-db=${sb.unix}`, `--log-file=${join(dir, 'northd.log')}`, `--unixctl=${join(dir, 'northd.ctl')}`, `--pidfile=${join(dir, 'northd.pid')}`], env, children);
  const ovs = await dbServer('ovs', dir, VSWITCH_SCHEMA, env, children, exec);
  const vsctl = ['--no-wait', `--db=${ovs.unix}`];
  await exec('ovs-vsctl', [...vsctl, 'init']);
  spawnChild('ovs-vswitchd', ['--no-chdir', '--enable-dummy=override', `--log-file=${join(dir, 'vswitchd.log')}`, `--unixctl=${join(dir, 'vswitchd.ctl')}`, `--pidfile=${join(dir, 'vswitchd.pid')}`, ovs.unix], env, children);
  await exec('ovs-vsctl', [...vsctl, 'set', 'open', '.', 'external_ids:system-id=node-1', `external_ids:ovn-remote=${sb.unix}`, 'external_ids:ovn-encap-type=geneve', 'external_ids:ovn-encap-ip=127.0.0.1']);
  await exec('ovs-vsctl', [`--db=${ovs.unix}`, '--timeout=15', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath-type=dummy', 'fail-mode=secure']);
  spawnChild('ovn-controller', ['--no-chdir', `--log-file=${join(dir, 'controller.log')}`, `--pidfile=${join(dir, 'controller.pid')}`, ovs.unix], env, children);
  await waitFor('chassis node-1 in SB', async () => (await exec('ovn-sbctl', [`--db=${sb.unix}`, '--columns=name', 'list', 'Chassis']).catch(() => '')).includes('node-1'), 20_000);
  return { sb, ovsSocket: ovs.socket };
}
