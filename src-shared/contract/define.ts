import { z } from 'zod';

/** A request/response channel: the renderer sends `input`, main answers `output`. */
export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One sentence for the reader of the contract; shown nowhere else. */
  doc: string;
}

export function channel<I extends z.ZodType, O extends z.ZodType>(doc: string, input: I, output: O): ChannelSpec<I, O> {
  return { doc, input, output };
}

/** A push event: main sends `payload` to every open window (and to the rig's event stream). */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  payload: P;
  doc: string;
}

export function event<P extends z.ZodType>(doc: string, payload: P): EventSpec<P> {
  return { doc, payload };
}

/** Input for channels that take nothing; `undefined` and `{}` are both accepted so every transport can send `{}`. */
export const NoInput = z.union([z.undefined(), z.object({}).strict()]).transform(() => undefined);
export const Ok = z.object({ ok: z.literal(true) });
