// Starts a real Roster server for one test file: the `roster` binary over a
// SQLite file in a fresh temporary directory, users and tokens made with the
// operator CLI, optionally HTTPS with a self-signed certificate made here by
// `openssl`. Nothing is mocked: the published SDKs talk to this process.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The roster binary: $ROSTER_BIN, or the workspace's debug build. */
export const ROSTER_BIN = process.env.ROSTER_BIN
  ? path.resolve(process.env.ROSTER_BIN)
  : path.resolve(here, '../../../target/debug/roster');

/** The password every test user gets. */
export const PASSWORD = 'a long password for tests';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GET a URL; resolves with the status code, or rejects on a network error. */
function probe(url, ca) {
  return new Promise((resolve, reject) => {
    const module = url.startsWith('https:') ? https : http;
    const request = module.get(url, ca ? { ca } : {}, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
    request.setTimeout(2000, () => request.destroy(new Error('timeout')));
  });
}

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function selfSigned(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const run = (args) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const why = error.code === 'ENOENT'
        ? 'the openssl command is not installed (Debian: apt-get install openssl)'
        : `${error.message}\n${error.stderr ?? ''}`;
      throw new Error(`cannot make a test certificate: ${why}`);
    }
  };
  run([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert, key };
}

/**
 * Prepare a database and, once `start()` is called, serve it.
 * `tls: true` serves HTTPS with a fresh self-signed certificate.
 */
export class Roster {
  constructor({ tls = false } = {}) {
    if (!existsSync(ROSTER_BIN)) {
      throw new Error(`no roster binary at ${ROSTER_BIN}: run \`cargo build -p roster\` `
        + 'first, or set ROSTER_BIN');
    }
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'roster-node-'));
    this.database = `sqlite://${path.join(this.dir, 'roster.db')}`;
    this.tls = tls ? selfSigned(this.dir) : null;
    this.child = null;
    this.stderr = '';
  }

  /** Run a CLI command against this database; returns its trimmed stdout. */
  cli(...args) {
    return execFileSync(ROSTER_BIN, ['--database', this.database, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  /** Create a user; returns `{id, number, username}` as the CLI prints them. */
  user(username, { admin = false } = {}) {
    const args = ['--json', 'user', 'create', '--username', username,
      '--password', PASSWORD, '--email', `${username}@example.com`];
    if (admin) args.push('--admin');
    return JSON.parse(this.cli(...args));
  }

  /** Issue a token for a user (scopes comma-separated). */
  token(username, scope = 'community:read,community:write') {
    return this.cli('token', 'create', '--username', username, '--scope', scope);
  }

  /** The certificate PEM text, when serving TLS. */
  get certPem() {
    return this.tls ? readFileSync(this.tls.cert, 'utf8') : null;
  }

  /** Start `roster serve` and wait until /healthz answers 200. */
  async start() {
    const port = await freePort();
    this.host = `127.0.0.1:${port}`;
    this.base = `${this.tls ? 'https' : 'http'}://${this.host}`;
    const args = ['--database', this.database, 'serve', '--listen', this.host];
    if (this.tls) args.push('--tls-cert', this.tls.cert, '--tls-key', this.tls.key);
    const env = { ...process.env };
    delete env.ROSTER_TLS_CERT;
    delete env.ROSTER_TLS_KEY;
    this.child = spawn(ROSTER_BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr.on('data', (chunk) => { this.stderr += chunk; });
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.exited = exited;
    const ca = this.certPem;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (this.child.exitCode !== null) {
        throw new Error(`roster exited with ${this.child.exitCode}:\n${this.stderr}`);
      }
      try {
        if ((await probe(`${this.base}/healthz`, ca)) === 200) return this;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`roster never answered ${this.base}/healthz:\n${this.stderr}`);
  }

  /** Stop the server (SIGTERM, graceful) and delete its files. */
  async stop() {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
