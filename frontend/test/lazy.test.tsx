import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { lazy, page } from '../src/components/lazy';

describe('lazy', () => {
  it('a chunk that did not load says so and offers a Reload button that reloads the page', async () => {
    const reload = vi.spyOn(page, 'reload').mockImplementation(() => {});
    const Broken = lazy<{ name: string }>(() => Promise.reject(new Error('x')));
    render(<Broken name="n" />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This part of the app did not load.');
    const button = screen.getByRole('button', { name: 'Reload' });
    expect(alert.contains(button)).toBe(true);
    expect(reload).not.toHaveBeenCalled();
    fireEvent.click(button);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('renders the component once its chunk is in', async () => {
    const Hello = lazy<{ name: string }>(async () => ({ name }: { name: string }) => <p>Hello {name}</p>);
    render(<Hello name="there" />);
    expect(await screen.findByText('Hello there')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
