// What every screen may need and should not refetch on each click: who is signed in, the
// workspace's objects, and each object's schema. Writers call invalidate() after a change.

import * as api from "./api.js";

export const state = {
  me: null, // {id, email, full_name, workspace_id, role} once signed in
};

let objectsPromise = null;
const schemas = new Map();
const listeners = new Set();

export function objects(force = false) {
  if (force || !objectsPromise) {
    objectsPromise = api.objects.all().catch((err) => {
      objectsPromise = null;
      throw err;
    });
  }
  return objectsPromise;
}

export function schema(ref, force = false) {
  if (force || !schemas.has(ref)) {
    const p = api.objects.schema(ref).catch((err) => {
      schemas.delete(ref);
      throw err;
    });
    schemas.set(ref, p);
  }
  return schemas.get(ref);
}

/** Forget cached metadata (after any schema change) and tell listeners (the sidebar). */
export function invalidate() {
  objectsPromise = null;
  peoplePromise = null;
  schemas.clear();
  for (const fn of listeners) fn();
}

export function onInvalidate(fn) {
  listeners.add(fn);
}

export function canAdmin() {
  return ["owner", "admin"].includes(state.me?.role);
}

export function canWrite() {
  return Boolean(state.me) && state.me.role !== "viewer";
}

export const objectTitle = (obj) => obj.plural_label || obj.label;

/** A record field's label for messages: "email" → "E-mail". */
export function labeller(fields) {
  const byName = new Map(fields.map((f) => [f.name, f.label]));
  return (name) => byName.get(name) || byName.get(String(name).split(".")[0]) || name;
}

let peoplePromise = null;

/** user id → name, from the member list (empty when it cannot be read, e.g. for a viewer). */
export function people() {
  if (!state.me) return Promise.resolve(new Map());
  peoplePromise ||= api.members.list(state.me.workspace_id)
    .then((page) => new Map((page.items || []).map((m) => [m.user_id, m.full_name || m.email])))
    .catch(() => new Map());
  return peoplePromise;
}

/** Who did something, in words: "you", a member's name, or which API token. */
export function actorName(actor, names) {
  if (!actor) return "";
  if (actor === state.me?.id) return "you";
  if (names.has(actor)) return names.get(actor);
  return actor.startsWith("tok_") ? `API token ${actor}` : actor;
}
