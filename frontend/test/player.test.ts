import { beforeEach, describe, expect, it, vi } from 'vitest';
import { load } from '../src/lib/storage';
import { createPlayer } from '../src/stores/player';
import { createPrefs, loadPrefs } from '../src/stores/prefs';
import { fakeTransport } from './fake-transport';
import { FakeAudio, flush, makeVideo } from './helpers';


function setup() {
  const audio = new FakeAudio();
  const ft = fakeTransport();
  let n = 0;
  const player = createPlayer(ft.t, createPrefs(loadPrefs()), { audio, createObjectURL: () => `blob:${++n}`, revokeObjectURL: vi.fn() });
  return { audio, player, ...ft };
}

beforeEach(() => localStorage.clear());

describe('player', () => {
  it('speaks the summary, plays it and reports duration', async () => {
    const { audio, player, raw } = setup();
    await player.play(makeVideo('a'));
    expect(raw.speak).toHaveBeenCalledWith({ video_id: 'a' });
    expect(audio.src).toBe('blob:1');
    expect(player.get().status).toBe('playing');
    expect(player.get().duration).toBe(300);
  });

  it('remembers the position per summary and resumes there', async () => {
    const { audio, player } = setup();
    await player.play(makeVideo('a'));
    audio.currentTime = 42;
    audio.emit('timeupdate');
    player.pause();
    expect(load('pos.a', 0)).toBe(42);
    await player.play(makeVideo('b'));
    await player.play(makeVideo('a'));
    expect(audio.currentTime).toBe(42);
    audio.emit('ended');
    expect(load('pos.a', 0)).toBe(0);
  });

  it('cached audio is not fetched twice', async () => {
    const { player, raw } = setup();
    await player.play(makeVideo('a'));
    await player.play(makeVideo('a'));
    expect(raw.speak).toHaveBeenCalledTimes(1);
  });

  it('speed, ±15 s and seek bounds', async () => {
    const { audio, player } = setup();
    await player.play(makeVideo('a'));
    player.setRate(1.5);
    expect(audio.playbackRate).toBe(1.5);
    expect(loadPrefs().rate).toBe(1.5);
    player.changeRate(1);
    player.changeRate(1);
    player.changeRate(1);
    expect(player.get().rate).toBe(2);
    audio.currentTime = 10;
    player.skip(-15);
    expect(audio.currentTime).toBe(0);
    player.skip(15);
    expect(audio.currentTime).toBe(15);
    player.seek(1000);
    expect(audio.currentTime).toBe(300);
  });

  it('play all: the queue advances when a summary ends', async () => {
    const { audio, player, raw } = setup();
    const list = [makeVideo('a'), makeVideo('b'), makeVideo('c')];
    await player.play(list[0]!, list);
    audio.emit('ended');
    await flush();
    expect(player.get().current?.video_id).toBe('b');
    expect(player.get().index).toBe(1);
    player.next();
    await flush();
    expect(player.get().current?.video_id).toBe('c');
    audio.emit('ended');
    await flush();
    expect(player.get().status).toBe('paused');
    expect(raw.speak).toHaveBeenCalledTimes(3);
  });

  it('a speech failure is a state with a sentence', async () => {
    const { player, raw } = setup();
    raw.speak.mockRejectedValueOnce('{"error":"Speech is not set up: add a Cloud TTS key in Settings.","code":"unavailable"}');
    await player.play(makeVideo('a'));
    expect(player.get().status).toBe('error');
    expect(player.get().error).toBe('Speech is not set up: add a Cloud TTS key in Settings.');
  });

  it('download saves the MP3 under the title', async () => {
    const { player, raw } = setup();
    await player.play(makeVideo('a', { title: 'A/B: test?' }));
    await player.download();
    expect(raw.saveFile.mock.calls[0]![0]).toBe('A B test.mp3');
  });

  it('forget() stops a deleted summary', async () => {
    const { player } = setup();
    await player.play(makeVideo('a'));
    player.forget('a');
    expect(player.get().current).toBeNull();
  });
});
