// What the React tests share: a DOM for react-dom (happy-dom), rendering a hook into a probe,
// and the real Herald node of the browser client's tests (clients/js/test/server.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import React from 'react';
import { createRoot } from 'react-dom/client';

import { until as untilTrue } from '../../js/test/server.js';

export { HeraldNode, trackedWebSocket } from '../../js/test/server.js';

/** Resolves when `predicate()` is true (a throw, e.g. nothing rendered yet, counts as false); rejects after `ms`. */
export function until(predicate, ms, what) {
  return untilTrue(async () => { try { return await predicate(); } catch { return false; } }, ms, what);
}

export const JAR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'herald-server', 'target', 'herald.jar');

/** Skip when the JAR was not built, unless HERALD_REQUIRE_SERVICES=1 (CI): then the tests fail. */
export const skipWithoutJar = !existsSync(JAR) && process.env.HERALD_REQUIRE_SERVICES !== '1'
  ? `${JAR} is missing (./mvnw -pl herald-server package -DskipTests)` : false;

const window = new Window({ url: 'http://127.0.0.1/' });
globalThis.window = window;
globalThis.document = window.document;

/**
 * Renders `element` into a detached root; answers {root, unmount}. Updates from sockets land on
 * React's scheduler as in a browser, so tests poll with `until` instead of wrapping them in act.
 */
const mounted = new Set();
export function render(element) {
  const root = createRoot(document.createElement('div'));
  root.render(element);
  mounted.add(root);
  return { root, unmount: () => { mounted.delete(root); root.unmount(); } };
}

/** Unmounts what a failed test left mounted, so that no client keeps reconnecting. */
export function unmountAll() {
  for (const root of mounted) root.unmount();
  mounted.clear();
}

/** A component that calls `use()` on every render and keeps the latest answer in `out.current`. */
export function Probe({ use, out }) {
  out.current = use();
  return null;
}

export const h = React.createElement;

/** herald_connections{transport="websocket"} from the node's /metrics: the sockets open server-side. */
export async function openSockets(node) {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = text.match(/^herald_connections\{[^}]*transport="websocket"[^}]*\} (\S+)/m);
  if (!m) throw new Error('no herald_connections gauge in /metrics');
  return Number(m[1]);
}
