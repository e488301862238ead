import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlayerBar } from '../src/components/PlayerBar';
import { VideoCard } from '../src/components/VideoCard';
import { makeVideo } from './helpers';
import { setup } from './render';

beforeEach(() => localStorage.clear());

describe('player bar', () => {
  it('hidden until something plays; Listen asks the service to speak that summary and plays it', async () => {
    const item = makeVideo('a', { title: 'First talk' });
    const r = setup(<><VideoCard item={item} /><PlayerBar /></>);
    expect(screen.queryByRole('region', { name: 'Audio player' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Listen to First talk' }));
    await screen.findByRole('region', { name: 'Audio player' });
    expect(r.raw.speak).toHaveBeenCalledWith({ video_id: 'a' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy());
    expect(r.audio.play).toHaveBeenCalled();
    expect(screen.getByText('First talk', { selector: 'strong' })).toBeTruthy();
  });

  it('pause, ±15 s, speed, queue position and close', async () => {
    const items = [makeVideo('a', { title: 'One' }), makeVideo('b', { title: 'Two' })];
    const r = setup(<PlayerBar />);
    await r.s.player.play(items[0]!, items);
    await screen.findByRole('region', { name: 'Audio player' });
    expect(screen.getByText('· 1 of 2')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(r.audio.pause).toHaveBeenCalled();
    await screen.findByRole('button', { name: 'Play' });
    r.audio.currentTime = 100;
    fireEvent.click(screen.getByRole('button', { name: 'Forward 15 seconds' }));
    expect(r.audio.currentTime).toBe(115);
    fireEvent.click(screen.getByRole('button', { name: 'Back 15 seconds' }));
    expect(r.audio.currentTime).toBe(100);
    fireEvent.change(screen.getByLabelText('Speed'), { target: { value: '1.5' } });
    expect(r.audio.playbackRate).toBe(1.5);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(r.raw.speak).toHaveBeenLastCalledWith({ video_id: 'b' }));
    await screen.findByText('· 2 of 2');
    fireEvent.click(screen.getByRole('button', { name: 'Close player' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Audio player' })).toBeNull());
  });

  it('a speech failure is shown in the bar in the service\'s words', async () => {
    const r = setup(<PlayerBar />);
    r.raw.speak.mockRejectedValue(new Error('Listening needs a Cloud Text-to-Speech key or an offline voice.'));
    await r.s.player.play(makeVideo('a', { title: 'One' }));
    expect((await screen.findAllByText(/Listening needs a Cloud Text-to-Speech key/)).length).toBeGreaterThan(0);
  });
});
