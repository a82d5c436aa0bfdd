import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Shopper } from '@nile-protocol';
import { errorText, isSignedOut } from '../api/errors.ts';
import { useNileApi } from '../api/nile-api.ts';

/**
 * Who is shopping. The server knows it from the HttpOnly session cookie; the page learns it from
 * GET /api/nile/me (a 401 means nobody is signed in) and never holds the session itself.
 */
export const useShopperStore = defineStore('nile-shopper', () => {
  const api = useNileApi();
  const shopper = ref<Shopper | undefined>();
  /** unknown until the first answer, so the page does not flash the sign-in form. */
  const state = ref<'unknown' | 'signed-out' | 'signed-in'>('unknown');
  const error = ref<string | undefined>();
  const busy = ref(false);

  const signedIn = computed(() => state.value === 'signed-in');

  async function load(): Promise<void> {
    try {
      shopper.value = await api.me();
      state.value = 'signed-in';
      error.value = undefined;
    } catch (caught) {
      shopper.value = undefined;
      state.value = 'signed-out';
      error.value = isSignedOut(caught) ? undefined : errorText(caught);
    }
  }

  async function signIn(name: string): Promise<boolean> {
    busy.value = true;
    try {
      shopper.value = await api.signIn(name);
      state.value = 'signed-in';
      error.value = undefined;
      return true;
    } catch (caught) {
      error.value = errorText(caught);
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Signed out once the server says so (it clears the cookie); if it cannot, the shopper stays. */
  async function signOut(): Promise<void> {
    try {
      await api.signOut();
      shopper.value = undefined;
      state.value = 'signed-out';
      error.value = undefined;
    } catch (caught) {
      if (isSignedOut(caught)) sessionEnded();
      else error.value = `Signing out failed: ${errorText(caught)}`;
    }
  }

  /** A call answered 401: the session ended (signed out elsewhere, deleted); back to the sign-in form. */
  function sessionEnded(): void {
    shopper.value = undefined;
    state.value = 'signed-out';
    error.value = 'Your session ended: sign in again.';
  }

  return { shopper, state, error, busy, signedIn, load, signIn, signOut, sessionEnded };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useShopperStore, import.meta.hot));
