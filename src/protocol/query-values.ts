import { z } from 'zod';

/**
 * Query-string values arrive as text (or a list of texts when a name repeats). These parse them
 * strictly: "12" is a number, "12abc", "" and "1e3" are not.
 */
function wholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export function queryInt(options: { min: number; max: number; default: number }) {
  return wholeNumber(options.min, options.max).default(options.default);
}

export function optionalQueryInt(options: { min: number; max: number }) {
  return wholeNumber(options.min, options.max).optional();
}

export const uuidSchema = z.uuid({ message: 'must be a UUID' }).transform((id) => id.toLowerCase());

/** `a,b` or `?x=a&x=b`: a list of words from `values`. */
export function queryList<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string(), z.array(z.string()).max(20)])
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')))
    .pipe(z.array(z.enum(values)).min(1).max(20))
    .optional();
}

export const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');
