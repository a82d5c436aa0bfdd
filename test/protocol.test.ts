import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as protocol from '../src/protocol/index.ts';
import { newId } from '../src/core/ids.ts';

const protocolDir = join(import.meta.dirname, '..', 'src', 'protocol');

describe('src/protocol: the wire contract', () => {
  it('imports only zod and src/core, so the CLI and the web UI can share it', () => {
    for (const file of readdirSync(protocolDir)) {
      const source = readFileSync(join(protocolDir, file), 'utf8');
      for (const [, target] of source.matchAll(/from '([^']+)'/g))
        expect(
          target === 'zod' || target!.startsWith('./') || target!.startsWith('../core/'),
          `${file}: ${target}`,
        ).toBe(true);
    }
  });

  it('parses client messages and topics, and refuses what the server would refuse', () => {
    const id = newId();
    expect(protocol.clientMessageSchema.parse({ type: 'subscribe', topic: `adw:${id}`, fromSeq: 3 })).toEqual(
      {
        type: 'subscribe',
        topic: `adw:${id}`,
        fromSeq: 3,
      },
    );
    expect(protocol.parseTopic(`agent:${id.toUpperCase()}`)).toEqual({ kind: 'agent', id });
    expect(protocol.topicSchema.safeParse('agents:all').success).toBe(false);
    expect(
      protocol.clientMessageSchema.safeParse({ type: 'subscribe', topic: 'all', fromSeq: 1.5 }).success,
    ).toBe(false);
    expect(protocol.eventsQuery.parse({ limit: '10', category: ['hook', 'system,response'] })).toEqual({
      fromSeq: 0,
      limit: 10,
      category: ['hook', 'system', 'response'],
    });
    expect(protocol.eventsQuery.safeParse({ limit: '1e2' }).success).toBe(false);
    expect(protocol.startAdwBody.safeParse({ workflow: 'plan_build', prompt: 'x', cwd: '/' }).success).toBe(
      false,
    );
  });

  it('turns a ledger event into its wire form with ISO dates and no empty scopes', () => {
    const occurredAt = new Date('2026-01-02T03:04:05.000Z');
    const wire = protocol.toWireEvent({
      seq: 7,
      id: 'e',
      category: 'response',
      type: 'TextBlock',
      agentId: 'a',
      runId: undefined,
      payload: { text: 'hi' },
      occurredAt,
      recordedAt: occurredAt,
    });
    expect(wire).toEqual({
      seq: 7,
      id: 'e',
      category: 'response',
      type: 'TextBlock',
      agentId: 'a',
      payload: { text: 'hi' },
      occurredAt: '2026-01-02T03:04:05.000Z',
      recordedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(protocol.wireEventSchema.parse(wire)).toEqual(wire);
  });
});
