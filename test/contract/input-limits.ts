import type { z } from 'zod';

/* eslint-disable @typescript-eslint/no-explicit-any -- walks zod's own definition objects */

/** Every place in a schema where a string or an array can grow without a declared maximum. */
export function unboundedPaths(schema: z.ZodType, path = '$', seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  const checks = ((def.checks ?? []) as { _zod: { def: { check: string; format?: string } } }[]).map((c) => c._zod.def);
  const hasMaximum = checks.some((c) => c.check === 'max_length' || c.check === 'length_equals');
  switch (def.type) {
    case 'string': {
      // A fixed format (an ISO time, a UUID) bounds the length by itself.
      const bounded = hasMaximum || ['datetime', 'date', 'uuid', 'guid'].includes(String(def.format));
      return bounded ? [] : [path];
    }
    case 'array':
      return [...(hasMaximum ? [] : [`${path}[] (array)`]), ...unboundedPaths(def.element, `${path}[]`, seen)];
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, value]) => unboundedPaths(value, `${path}.${key}`, seen));
    case 'record':
      return [...unboundedPaths(def.keyType, `${path}{key}`, seen), ...unboundedPaths(def.valueType, `${path}{}`, seen)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return unboundedPaths(def.innerType, path, seen);
    case 'pipe':
      return unboundedPaths(def.in, path, seen);
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => unboundedPaths(option, path, seen));
    case 'intersection':
      return [...unboundedPaths(def.left, path, seen), ...unboundedPaths(def.right, path, seen)];
    case 'tuple':
      return (def.items as z.ZodType[]).flatMap((item, k) => unboundedPaths(item, `${path}[${k}]`, seen));
    case 'lazy':
      return unboundedPaths(def.getter(), path, seen);
    default:
      return [];
  }
}
