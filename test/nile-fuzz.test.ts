import { describe, expect, it } from 'vitest';
import type { AnyRouteSpec } from '../src/server/route.ts';
import { useTestDatabase } from './helpers/database.ts';
import {
  encode,
  propertyNames,
  randomObject,
  randomString,
  randomValue,
  seededRandom,
  type Random,
} from './helpers/fuzz.ts';
import { useNile } from './helpers/nile.ts';
import { auth } from './helpers/server.ts';

const db = useTestDatabase();
const setUp = useNile(db);

function fuzzedUrl(random: Random, route: AnyRouteSpec): string {
  const id = () => (random.next() < 0.5 ? String(1 + random.int(120)) : encode(randomString(random)));
  const path = route.url.replace(':id', id).replace(':itemId', id);
  const query = new URLSearchParams();
  const keys = [...propertyNames(route.query), 'extra'];
  for (let i = random.int(4); i > 0; i -= 1) query.append(random.pick(keys), randomString(random));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function fuzzedBody(random: Random, route: AnyRouteSpec): { payload?: string; type?: string } {
  const roll = random.next();
  if (roll < 0.1) return {};
  if (roll < 0.2)
    return { payload: random.pick(['{', '{"a":', 'nul', '[1,', '{}}']), type: 'application/json' };
  const keys = propertyNames(route.body);
  const value = roll < 0.3 ? randomValue(random, 0, keys) : randomObject(random, 0, keys);
  return { payload: JSON.stringify(value), type: 'application/json' };
}

describe('Nile: fuzzed requests', () => {
  it('every Nile route (seed 5), signed in and not, answers 2xx or 4xx with an error naming the problem', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Fuzz');
    const routes = nile.server.routes.filter((route) => route.url.startsWith('/api/nile/'));
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const random = seededRandom(5);
    const failures: string[] = [];
    let cases = 0;
    for (const route of routes) {
      for (let i = 0; i < 40; i += 1) {
        const url = fuzzedUrl(random, route);
        const body = route.method === 'POST' || route.method === 'PUT' ? fuzzedBody(random, route) : {};
        const response = await nile.server.app.inject({
          method: route.method,
          url,
          headers: {
            ...auth,
            ...(random.next() < 0.8 ? { cookie } : {}),
            ...(body.type && { 'content-type': body.type }),
          },
          payload: body.payload,
        });
        cases += 1;
        const status = response.statusCode;
        const what = () =>
          `${route.method} ${url.slice(0, 200)} ${(body.payload ?? '').slice(0, 200)} → ${status} ${response.body.slice(0, 300)}`;
        if (status >= 500) failures.push(what());
        else if (status >= 400 && !response.json().error?.message)
          failures.push(`no error message: ${what()}`);
      }
    }
    expect(cases).toBeGreaterThanOrEqual(640);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
