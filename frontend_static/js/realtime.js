// Other people's changes, live: a small client of /realtime/v1/websocket, the Phoenix-channel
// protocol of Supabase Realtime (vsn 1.0.0, JSON objects), for `postgres_changes` only.
//
// One socket per tab, opened while a screen watches an object and closed when none does. It
// authenticates with the signed-in person's access token (the JWT api.js keeps), as `apikey` on
// the socket and `access_token` in each join: the server checks that the person may read the
// object, in their workspace. A token refreshed meanwhile is pushed to the joined channels.

import { accessToken, realtime } from "./api.js";

const HEARTBEAT_MS = 25_000; // what supabase-js sends; the server drops a socket silent for long
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

let socket = null; // the open (or opening) connection, while any channel wants one
let reconnects = 0;
let reconnectTimer = null;
let heartbeatTimer = null;
let pendingHeartbeat = null;
let sentToken = null;
let lastRef = 0;
const channels = new Map(); // topic → channel

const nextRef = () => String(++lastRef);

/**
 * Calls onChange(data) for each change to the records of `table` (an object's name):
 * data = {type: "INSERT" | "UPDATE" | "DELETE", record, old_record, table, commit_timestamp, …}.
 * Calls onJoined() each time the server accepts the channel, the first time and after a dropped
 * connection: changes committed before that (while the screen was loading, or while the socket
 * was down) are never sent, so the screen reads again what it shows.
 * Returns `leave`, which stops it (and closes the socket when nothing else watches).
 */
export function watch(table, onChange, onJoined = () => {}) {
  const topic = `realtime:admin:${table}:${nextRef()}`;
  const channel = { topic, table, onChange, onJoined, joinRef: null, joined: false, rejoinTimer: null, attempts: 0 };
  channels.set(topic, channel);
  if (socket?.readyState === WebSocket.OPEN) join(channel);
  else connect();
  return () => leave(channel);
}

function leave(channel) {
  if (!channels.delete(channel.topic)) return;
  clearTimeout(channel.rejoinTimer);
  if (channel.joined) push(channel.topic, "phx_leave", {}, channel.joinRef);
  if (!channels.size) disconnect();
}

async function connect() {
  if (socket || reconnectTimer || !channels.size) return;
  const attempt = {}; // a placeholder: nothing else connects while the token is fetched
  socket = attempt;
  const token = await accessToken().catch(() => null);
  if (socket !== attempt) return; // disconnected meanwhile
  if (!token || !channels.size) {
    socket = null;
    return;
  }
  const ws = new WebSocket(realtime.socketUrl(token));
  socket = ws;
  sentToken = token;
  ws.addEventListener("open", () => {
    if (socket !== ws) return ws.close(1000); // left while it was connecting
    reconnects = 0;
    heartbeatTimer = setInterval(heartbeat, HEARTBEAT_MS);
    for (const channel of channels.values()) join(channel);
  });
  ws.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  ws.addEventListener("close", () => closed(ws));
}

function disconnect() {
  const ws = socket;
  socket = null;
  clearInterval(heartbeatTimer);
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  pendingHeartbeat = null;
  // Closing a socket that is still connecting makes the browser log a warning: it closes on open.
  if (ws instanceof WebSocket && ws.readyState !== WebSocket.CONNECTING) ws.close(1000);
}

/** The socket closed (the server went away, the network dropped): try again, later each time. */
function closed(ws) {
  if (socket !== ws) return; // closed on purpose
  socket = null;
  clearInterval(heartbeatTimer);
  pendingHeartbeat = null;
  for (const channel of channels.values()) {
    channel.joined = false;
    clearTimeout(channel.rejoinTimer);
  }
  if (!channels.size) return;
  const delay = BACKOFF_MS[Math.min(reconnects++, BACKOFF_MS.length - 1)];
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    connect();
  }, delay);
}

function push(topic, event, payload, joinRef = null) {
  if (!(socket instanceof WebSocket) || socket.readyState !== WebSocket.OPEN) return null;
  const ref = nextRef();
  socket.send(JSON.stringify({ topic, event, payload, ref, join_ref: joinRef }));
  return ref;
}

function join(channel) {
  channel.joinRef = nextRef();
  channel.joined = false;
  channel.joinPush = push(channel.topic, "phx_join", {
    config: {
      postgres_changes: [{ event: "*", schema: "public", table: channel.table }],
      broadcast: { self: false },
      presence: { key: "" },
    },
    access_token: sentToken,
  }, channel.joinRef);
}

/** A heartbeat still unanswered at the next one means a dead connection: reconnect. */
async function heartbeat() {
  if (pendingHeartbeat) {
    socket?.close?.(4000, "heartbeat timeout");
    return;
  }
  pendingHeartbeat = push("phoenix", "heartbeat", {});
  const token = await accessToken().catch(() => null);
  if (token && token !== sentToken) {
    sentToken = token;
    for (const channel of channels.values()) {
      if (channel.joined) push(channel.topic, "access_token", { access_token: token }, channel.joinRef);
    }
  }
}

function receive(message) {
  const { topic, event, payload, ref } = message;
  if (topic === "phoenix") {
    if (event === "phx_reply" && ref === pendingHeartbeat) pendingHeartbeat = null;
    return;
  }
  const channel = channels.get(topic);
  if (!channel) return;
  if (event === "phx_reply" && ref === channel.joinPush) joined(channel, payload);
  else if (event === "postgres_changes" && channel.joined) channel.onChange(payload.data);
  else if (event === "phx_error" || event === "phx_close") rejoinLater(channel);
}

function joined(channel, reply) {
  if (reply?.status === "ok") {
    channel.joined = true;
    channel.attempts = 0;
    channel.onJoined();
  } else {
    rejoinLater(channel); // refused (an expired token, say): a fresh token may be accepted
  }
}

function rejoinLater(channel) {
  channel.joined = false;
  clearTimeout(channel.rejoinTimer);
  const delay = BACKOFF_MS[Math.min(channel.attempts++, BACKOFF_MS.length - 1)];
  channel.rejoinTimer = setTimeout(async () => {
    if (!channels.has(channel.topic)) return;
    sentToken = (await accessToken().catch(() => null)) || sentToken;
    join(channel);
  }, delay);
}

/** Leave what this view watched before (a screen re-rendering itself) and watch anew. */
const byView = new WeakMap();

/** Returns what stops the view's watch, whichever of its renders started it (the screen's cleanup). */
export function watchFor(view, table, onChange, onJoined) {
  byView.get(view)?.();
  byView.set(view, watch(table, onChange, onJoined));
  return () => {
    byView.get(view)?.();
    byView.delete(view);
  };
}
