// The boundary between the window's bound Go methods, as `wails generate
// module` types them (frontend/wailsjs, made in the build), and the wire
// shapes of types.ts that both transports return.
//
// The bytes are the same on both sides of this boundary: Wails marshals a
// bound method's answer with encoding/json, and golden_test.go proves the
// window and the HTTP API send the same JSON. The generated models describe
// those bytes more loosely than types.ts does: a Go string where types.ts has
// a union ('pending' | 'running' …), an optional member where Go sends null,
// `any` for a time.Time, a class (with convertValues) where types.ts has a
// plain object. So the conversions below change no value: they are checked
// views. Each one fails tsc when the two descriptions stop naming the same
// members with the same kinds of value — a Go field renamed, added, dropped
// or changed from string to number shows up here, at the call.
//
// Why not make the Go types carry the unions (Wails' EnumBind)? It would fix
// only the string unions: null vs optional, time.Time and the flattened
// search hit would still differ, and every owner package would grow a named
// string type for the window's sake. A checked view at one boundary is
// smaller and keeps the Go side plain.

import type { JSONObject, VideoItem } from './types';
import type { library } from '../../../wailsjs/go/models';

/** The JSON members of a generated model (its class may also have convertValues). */
export type Fields<T> = Omit<T, 'convertValues'>;

/** T without an index signature (ApiStatus keeps `[k: string]: unknown` for newer servers). */
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** The kind of a value, as far as the generated models can tell it. */
type Kind<T> = 0 extends 1 & T ? 'any'
  : [T] extends [never] ? 'any'
  : [T] extends [string] ? 'string'
  : [T] extends [number] ? 'number'
  : [T] extends [boolean] ? 'boolean'
  : [T] extends [readonly unknown[]] ? 'array'
  : [T] extends [object] ? 'object'
  : 'other';

type SameKind<A, B> = Kind<NonNullable<A>> extends 'any' ? true
  : Kind<NonNullable<B>> extends 'any' ? true
  : [Kind<NonNullable<A>>] extends [Kind<NonNullable<B>>] ? true : false;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The members of W and G whose kinds differ (never when none). */
type KindClash<W, G> = {
  [K in keyof W & keyof G]-?: SameKind<W[K], G[K]> extends true ? never : K;
}[keyof W & keyof G];

/**
 * Mismatch<W, G, M> names what is wrong when types.ts's W does not describe
 * the same JSON as the generated G: M 'same' wants the same members; M
 * 'subset' (a request) wants every member W sends to exist in Go (Go may
 * have more: absent JSON members are Go's zero values). never when W fits.
 */
type Mismatch<W, G, M extends 'same' | 'subset'> =
  (M extends 'same' ? Same<keyof Known<W>, keyof Fields<G>> : [keyof Known<W>] extends [keyof Fields<G>] ? true : false) extends false
    ? { members_differ: [Exclude<keyof Known<W>, keyof Fields<G>>, Exclude<keyof Fields<G>, keyof Known<W>>] }
    : [KindClash<Known<W>, Fields<G>>] extends [never] ? never
    : { kinds_differ: KindClash<Known<W>, Fields<G>> };

/**
 * fromGo reads a bound method's answer G as its types.ts shape W. A call
 * whose W and G no longer match does not compile (the extra argument it
 * then wants names the members that differ).
 */
export function fromGo<W, G>(v: G, ...mismatch: [Mismatch<W, G, 'same'>] extends [never] ? [] : [Mismatch<W, G, 'same'>]): W {
  void mismatch;
  return v as unknown as W;
}

/**
 * toGo passes the types.ts request W to a bound method taking G: every
 * member W has must be one of G's, of the same kind; members W leaves out
 * reach Go as their zero values (JSON leaves them out).
 */
export function toGo<G, W>(v: W, ...mismatch: [Mismatch<W, G, 'subset'>] extends [never] ? [] : [Mismatch<W, G, 'subset'>]): G {
  void mismatch;
  return v as unknown as G;
}

/** asJSON reads an answer types.ts keeps open (settings, cache, health) as a JSON object. */
export function asJSON<G extends object>(v: G): JSONObject {
  return v as unknown as JSONObject;
}

/**
 * hitItem reads one search hit as a video item. library.Hit marshals as its
 * item's own object with "snippet" added (Hit.MarshalJSON), which the
 * generator cannot see: it describes {item, snippet}. Both shapes are read.
 */
export function hitItem(h: library.Hit): VideoItem {
  const raw = h as unknown as { item?: unknown };
  if (raw.item && typeof raw.item === 'object') {
    const item = raw.item as VideoItem;
    return h.snippet ? { ...item, snippet: h.snippet } : item;
  }
  return h as unknown as VideoItem;
}
