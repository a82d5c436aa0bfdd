import { z } from 'zod';

/**
 * GET /api/experts: the workspace's agent experts as `baton expert ls` lists them, checked on arrival like
 * the rest of schemas.ts. The fields after `maxLines` exist once a version was recorded.
 */
export const expertListingSchema = z.object({
  domain: z.string(),
  hasExpertise: z.boolean(),
  lines: z.number().int().optional(),
  maxLines: z.number().int(),
  version: z.number().int().optional(),
  /** When the latest version was recorded (ISO time). */
  lastImproved: z.string().optional(),
  /** The commit the latest version was checked at. */
  commit: z.string().optional(),
  staleClaims: z.number().int().optional(),
  /** Files changed in the project since that commit. */
  filesChanged: z.number().int().optional(),
  /** The file differs from the latest stored version. */
  modified: z.boolean().optional(),
});
export type ExpertListing = z.infer<typeof expertListingSchema>;

export const expertListSchema = z.object({ experts: z.array(expertListingSchema) });
