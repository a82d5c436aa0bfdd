import { z } from 'zod';
import { LogLevel } from '../core/statuses.ts';
import { readSystemLogs } from '../db/system-logs.ts';
import { defineTool } from './tool.ts';

const levels = Object.values(LogLevel) as [LogLevel, ...LogLevel[]];

export const readSystemLogsTool = defineTool({
  name: 'read_system_logs',
  description:
    "baton's system log, newest first: agents created and deleted, failed commands, and so on. Filter by a " +
    'case-insensitive substring (`contains`) and a level; page with offset and limit.',
  input: z.object({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(50),
    contains: z.string().min(1).max(500).optional(),
    // Either case; kept a plain enum (no transform) so the schema converts to JSON Schema for MCP clients.
    level: z.enum([...levels, ...levels.map((level) => level.toLowerCase())]).optional(),
  }),
  async run(input, context) {
    const level = input.level?.toUpperCase() as LogLevel | undefined;
    const rows = await readSystemLogs(context.services.db.pool, { ...input, level });
    return {
      text: rows.length
        ? rows
            .map((row) => `[${row.created_at.toISOString()}] ${row.level}: ${row.summary ?? row.message}`)
            .join('\n')
        : 'No system logs match.',
      structured: {
        logs: rows.map((row) => ({
          id: row.id,
          level: row.level,
          message: row.message,
          source: row.source,
          created_at: row.created_at.toISOString(),
          metadata: row.metadata,
        })),
      },
    };
  },
});
