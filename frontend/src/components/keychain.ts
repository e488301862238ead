import { useEffect, useState } from 'preact/hooks';
import type { ApiStatus } from '../lib/api/types';
import type { Services } from '../stores/services';

/**
 * The keychain's own sentence when no AI key can be used because the system keychain is
 * locked (a saved key is there but cannot be read); null when a key is set, when the keychain
 * is not locked, or while the service's status is loading. Asked when the status first arrives
 * and again only when whether a key is set changes (not on every status reload); the sentence
 * shown stays until the new answer replaces it.
 */
export function useLockedKeychain(s: Services, api: ApiStatus | null): string | null {
  const hasApi = api !== null;
  const anyKey = api ? api.google_api_key_set === true || api.openai_api_key_set === true : false;
  const [locked, setLocked] = useState<string | null>(null);
  useEffect(() => {
    if (!hasApi || anyKey) {
      setLocked(null);
      return;
    }
    let live = true;
    s.transport.getSettings().then((v) => {
      if (!live) return;
      const kc = (v as { keychain?: { state?: string; message?: string } }).keychain;
      setLocked(kc?.state === 'locked' ? kc.message || 'Your keychain is locked, so keys saved in it cannot be read.' : null);
    }).catch(() => {});
    return () => { live = false; };
  }, [hasApi, anyKey]);
  return locked;
}
