// The hand-kept API types (src/lib/api/types.ts) and the window's bound
// methods (src/lib/api/wails.ts) checked against the models Wails generates
// from app.go (frontend/wailsjs, made by `wails generate module`; `make
// frontend` runs it before tsc). The checks are on types: tsc fails when a
// member is renamed, added or dropped on either side.
import { describe, expectTypeOf, it } from 'vitest';
import type * as Bound from '../wailsjs/go/main/App';
import type { httpapi, main, youtube, ytsum } from '../wailsjs/go/models';
import type {
  Answer, AnswerSource, AskAccepted, AskQuestion, AskRequest, Citation, Conversation, Diagnosis, DiagnosisChoice, DiagnosisSource,
  DiagnosisTrack, ExportedFile, ImportResult, Job, JobMetadata, Page, Turn, VideoItem, VoicesResponse,
} from '../src/lib/api/types';
import type { WailsApp } from '../src/lib/api/wails';

/** The JSON members of a generated model (its class also has convertValues). */
type Members<T> = Exclude<keyof T, 'convertValues'>;

describe('types.ts and the generated models', () => {
  it('name the same members', () => {
    expectTypeOf<keyof Job>().toEqualTypeOf<Members<ytsum.Job>>();
    expectTypeOf<keyof JobMetadata>().toEqualTypeOf<Members<ytsum.JobMetadata>>();
    expectTypeOf<keyof Page<VideoItem>>().toEqualTypeOf<Members<httpapi.LibraryPage>>();
    expectTypeOf<keyof ImportResult>().toEqualTypeOf<Members<httpapi.ImportReport>>();
    expectTypeOf<keyof ExportedFile>().toEqualTypeOf<Members<main.ExportedFile>>();
    expectTypeOf<keyof VoicesResponse>().toEqualTypeOf<Members<httpapi.VoiceCatalog>>();
    expectTypeOf<keyof Answer>().toEqualTypeOf<Members<ytsum.Answer>>();
    expectTypeOf<keyof Citation>().toEqualTypeOf<Members<ytsum.Citation>>();
    expectTypeOf<keyof AnswerSource>().toEqualTypeOf<Members<ytsum.AnswerSource>>();
    expectTypeOf<keyof Turn>().toEqualTypeOf<Members<ytsum.Turn>>();
    expectTypeOf<keyof Conversation>().toEqualTypeOf<Members<ytsum.Conversation>>();
    expectTypeOf<keyof AskQuestion>().toEqualTypeOf<Members<ytsum.AskRequest>>();
    expectTypeOf<keyof AskRequest>().toEqualTypeOf<Members<httpapi.AskRequest>>();
    expectTypeOf<keyof AskAccepted>().toEqualTypeOf<Members<httpapi.AskAccepted>>();
    expectTypeOf<keyof Diagnosis>().toEqualTypeOf<Members<youtube.Diagnosis>>();
    expectTypeOf<keyof DiagnosisSource>().toEqualTypeOf<Members<youtube.DiagnosisSource>>();
    expectTypeOf<keyof DiagnosisTrack>().toEqualTypeOf<Members<youtube.DiagnosisTrack>>();
    expectTypeOf<keyof DiagnosisChoice>().toEqualTypeOf<Members<youtube.DiagnosisChoice>>();
    // A video item has every member a video result has (and a few extras).
    expectTypeOf<Exclude<Members<ytsum.Result>, 'playlist_id' | 'channel_id' | 'summaries' | 'url'>>().toMatchTypeOf<keyof VideoItem>();
  });

  it('wails.ts calls exactly the bound methods', () => {
    expectTypeOf<keyof WailsApp>().toEqualTypeOf<keyof typeof Bound>();
  });
});
