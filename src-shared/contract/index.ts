/**
 * THE IPC contract: every channel and push event that crosses a process boundary, declared once.
 *
 * Why one table: the Electron transport, the web test rig and the CLI all derive their behaviour from it, so a
 * feature is one entry here + one handler + UI, and no transport code. Input is parsed with `input` in main before a
 * handler runs; a handler's result is parsed with `output` before it leaves main, which also strips any field the
 * schema does not name (a second guard against a secret slipping into a response).
 *
 * Channels are `noun.verb`; events are `noun.event`. Feature files add their entries to the spreads below.
 */
import type { z } from 'zod';
import type { ChannelSpec, EventSpec } from './define';
import { appChannels, appEvents } from './app';
import { integrationChannels, integrationEvents } from './integrations';
import { auditChannels } from './audit';
import { deviceChannels } from './devices';
import { exportChannels, exportEvents } from './export';
import { syncChannels, syncEvents } from './sync';
import { trustChannels } from './trust';
import { wizardChannels } from './wizard';
import { certificateChannels, certificateEvents } from './certificates';
import { duoChannels, duoEvents } from './duo';

export const contract = {
  ...appChannels,
  ...integrationChannels,
  ...auditChannels,
  ...deviceChannels,
  ...exportChannels,
  ...syncChannels,
  ...trustChannels,
  ...wizardChannels,
  ...certificateChannels,
  ...duoChannels,
} as const satisfies Record<string, ChannelSpec>;

export const events = {
  ...appEvents,
  ...integrationEvents,
  ...exportEvents,
  ...syncEvents,
  ...certificateEvents,
  ...duoEvents,
} as const satisfies Record<string, EventSpec>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Events = typeof events;
export type EventName = keyof Events;

export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> = z.output<Contract[C]['output']>;
export type PayloadOf<E extends EventName> = z.output<Events[E]['payload']>;

/** The part of the platform's AbortSignal that handlers use (src-shared has no DOM or Node types to name it). */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

export interface HandlerContext {
  /** Aborted when the caller goes away (window closed, rig request dropped, CLI interrupted). */
  signal: CancelSignal;
}

export type Handler<C extends Channel> = (input: ParsedInputOf<C>, context: HandlerContext) => Promise<OutputOf<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

export type EventSink = <E extends EventName>(name: E, payload: PayloadOf<E>) => void;

/** What every transport answers; errors travel as data so their code survives Electron's IPC. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

export const channelNames = Object.keys(contract) as Channel[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
