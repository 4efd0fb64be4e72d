// Starts a real Herald node from the built JAR for the client's tests, and stops it.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const SECRET = 'client-test-secret-client-test-secret-0123';
export const API_KEY = 'client-test-api-key-0123456789';
const JAR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'herald-server', 'target', 'herald.jar');

/** A JDK 21+ java: $JAVA_HOME, else the newest under /usr/lib/jvm, else `java` on the PATH. */
function java() {
  if (process.env.JAVA_HOME && existsSync(join(process.env.JAVA_HOME, 'bin', 'java'))) return join(process.env.JAVA_HOME, 'bin', 'java');
  const version = (name) => Number((name.match(/(\d+)/) ?? [0, 0])[1]);
  const jdks = existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm')
    .filter((d) => version(d) >= 21 && existsSync(join('/usr/lib/jvm', d, 'bin', 'java')))
    .sort((a, b) => version(b) - version(a)) : [];
  return jdks.length ? join('/usr/lib/jvm', jdks[0], 'bin', 'java') : 'java';
}

/** One Herald process. `restart()` starts it again on the same port and data dir. */
export class HeraldNode {
  constructor(extraArgs) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'herald-js-'));
    this.port = 0;
    this.proc = null;
    this.extraArgs = extraArgs;
  }

  /** `extraArgs`: more `start` options, e.g. ['--push-webpush', 'false']. */
  static async start(extraArgs = []) {
    if (!existsSync(JAR)) throw new Error(`${JAR} is missing: build it first (./mvnw -pl herald-server package -DskipTests)`);
    const node = new HeraldNode(extraArgs);
    await node.#spawn();
    return node;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  #spawn() {
    const args = ['-jar', JAR, 'start', '--dev', '--host', '127.0.0.1', '--port', String(this.port), '--data-dir', this.dataDir,
      '--jwt-secret', SECRET, '--api-key', API_KEY, '--ping-interval', '5s', '--idle-timeout', '15s',
      // The push tests' push service is a plain-http server on loopback.
      '--push-allow-http-endpoints', 'true', ...this.extraArgs];
    const proc = spawn(java(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`Herald did not start within 60 s:\n${log}`)); }, 60_000);
      proc.stderr.on('data', (d) => { log += d; });
      proc.stdout.on('data', (d) => {
        log += d;
        const m = log.match(/Herald listening on http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) {
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve(this);
        }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Herald exited with ${code}:\n${log}`)); });
    });
  }

  /** Stops the process (graceful: clients are told 1001) and waits for it to exit. */
  async stop() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }

  async restart() {
    await this.stop();
    await this.#spawn();
  }

  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A development token for a user (POST /api/v1/dev/token). */
  async token(userId, name) {
    const res = await fetch(`${this.url}/api/v1/dev/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: userId, name }),
    });
    if (!res.ok) throw new Error(`dev token: ${res.status}`);
    return (await res.json()).token;
  }

  /** Publishes with the API key, as an app backend does (`extra`: category, tags, push); answers the parsed 201 body. */
  async publish(to, notification, extra = {}) {
    const res = await fetch(`${this.url}/api/v1/notifications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...extra, to, notification }),
    });
    if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    return res.json();
  }
}

/** An HS256 JWT signed with the test secret, e.g. a short-lived one to see 4001. */
export function signToken(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/**
 * The `ws` WebSocket with a registry of the sockets the client opened, so a test can count
 * them and cut one as a network failure would (terminate: no close frame).
 */
export function trackedWebSocket() {
  const opened = [];
  class Tracked extends WebSocket {
    constructor(url, ...rest) {
      super(url, ...rest);
      opened.push(this);
    }
  }
  return { WebSocket: Tracked, opened, live: () => opened.filter((s) => s.readyState === WebSocket.OPEN) };
}

/** A WebSocket that can never connect, as behind a proxy that blocks upgrades. */
export class BlockedWebSocket {
  constructor() {
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: '' });
    }, 5);
  }

  send() {}
  close() {}
}

/** Resolves when `predicate()` is true, polling every 20 ms; rejects after `ms`. */
export async function until(predicate, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
