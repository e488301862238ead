import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Services } from '../stores/services';

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('ServicesContext missing');
  return s;
}
