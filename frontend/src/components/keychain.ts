import { useEffect, useState } from 'preact/hooks';
import type { ApiStatus } from '../lib/api/types';
import type { Services } from '../stores/services';

/**
 * The keychain's own sentence when no AI key can be used because the system keychain is
 * locked (a saved key is there but cannot be read); null when a key is set, when the keychain
 * is not locked, or while the service's status is loading. Asked once per status.
 */
export function useLockedKeychain(s: Services, api: ApiStatus | null): string | null {
  const anyKey = api ? api.google_api_key_set === true || api.openai_api_key_set === true : false;
  const [locked, setLocked] = useState<string | null>(null);
  useEffect(() => {
    setLocked(null);
    if (!api || anyKey) return;
    let live = true;
    s.transport.getSettings().then((v) => {
      const kc = (v as { keychain?: { state?: string; message?: string } }).keychain;
      if (live && kc?.state === 'locked') setLocked(kc.message || 'Your keychain is locked, so keys saved in it cannot be read.');
    }).catch(() => {});
    return () => { live = false; };
  }, [api, anyKey]);
  return locked;
}
