import type { ExpertiseData, ExpertiseEntry } from '../protocol.ts';

/** What a shopper did that the shop learns from (LEARN). */
export type ShopperAction =
  | { kind: 'viewed'; productId: number }
  | { kind: 'added_to_cart'; productId: number }
  | { kind: 'removed_from_cart'; productId: number }
  | { kind: 'checked_out'; productIds: readonly number[] };

export function emptyExpertiseData(): ExpertiseData {
  return { viewed: [], addedToCart: [], checkedOut: [] };
}

/** The entry for `productId` counted once more at `at`, the list kept newest first. */
function bump(list: readonly ExpertiseEntry[], productId: number, at: string): ExpertiseEntry[] {
  const previous = list.find((entry) => entry.productId === productId);
  const others = list.filter((entry) => entry.productId !== productId);
  return [{ productId, count: (previous?.count ?? 0) + 1, lastAt: at }, ...others];
}

function without(list: readonly ExpertiseEntry[], ids: readonly number[]): ExpertiseEntry[] {
  return list.filter((entry) => !ids.includes(entry.productId));
}

/**
 * The expertise after one action. One action is one improvement, whatever it touches: an add counts
 * once (the reference counted it twice, client and server); a removal takes the product out of the
 * cart list; a checkout counts each bought product once and takes them out of the cart list, which so
 * always names what is in the cart now.
 */
export function learn(data: ExpertiseData, action: ShopperAction, at: Date): ExpertiseData {
  const time = at.toISOString();
  switch (action.kind) {
    case 'viewed':
      return { ...data, viewed: bump(data.viewed, action.productId, time) };
    case 'added_to_cart':
      return { ...data, addedToCart: bump(data.addedToCart, action.productId, time) };
    case 'removed_from_cart':
      return { ...data, addedToCart: without(data.addedToCart, [action.productId]) };
    case 'checked_out':
      return {
        ...data,
        addedToCart: without(data.addedToCart, action.productIds),
        checkedOut: action.productIds.reduce((list, id) => bump(list, id, time), data.checkedOut),
      };
  }
}

/** Whether there is anything to personalise from. */
export function hasSignals(data: ExpertiseData): boolean {
  return data.viewed.length + data.addedToCart.length + data.checkedOut.length > 0;
}
