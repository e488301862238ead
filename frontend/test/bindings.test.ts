// The hand-kept API types (src/lib/api/types.ts) checked against the models
// Wails generates from app.go (frontend/wailsjs, made by `wails generate
// module`; `make frontend-test` and `make frontend` run it before tsc). The
// checks are on types: tsc fails when a member is renamed, added or dropped
// on either side.
//
// The bound methods themselves need no list here: src/lib/api/wails.ts
// calls the generated module, so tsc checks every call's arguments against
// the Go signature, and every answer goes through bound.ts's fromGo/toGo,
// which fail tsc when the models drift (tested below).
import { describe, expectTypeOf, it } from 'vitest';
import { fromGo, toGo } from '../src/lib/api/bound';
import type { httpapi, main, youtube, ytsum } from '../wailsjs/go/models';
import type {
  Answer, AnswerSource, AskAccepted, AskQuestion, AskRequest, Citation, Conversation, Diagnosis, DiagnosisChoice, DiagnosisSource,
  DiagnosisTrack, ExportedFile, ImportResult, Job, JobMetadata, Page, SubscriptionPatch, Turn, VideoItem, VoicesResponse,
} from '../src/lib/api/types';

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

  it('fromGo and toGo refuse models that drifted', () => {
    // A match wants no second argument.
    expectTypeOf<Parameters<typeof fromGo<Job, ytsum.Job>>>().toEqualTypeOf<[ytsum.Job]>();
    // A Go member renamed: the call wants an argument naming both sides.
    type Renamed = Omit<ytsum.Job, 'status'> & { state: string };
    expectTypeOf<Parameters<typeof fromGo<Job, Renamed>>>()
      .toEqualTypeOf<[Renamed, { members_differ: ['status', 'state'] }]>();
    // A Go member that became a number.
    type Retyped = Omit<ytsum.Job, 'current_item'> & { current_item: number };
    expectTypeOf<Parameters<typeof fromGo<Job, Retyped>>>()
      .toEqualTypeOf<[Retyped, { kinds_differ: 'current_item' }]>();
    // A request member Go does not have.
    type Extra = SubscriptionPatch & { colour?: string };
    expectTypeOf<Parameters<typeof toGo<httpapi.SubscriptionPatch, Extra>>>()
      .toEqualTypeOf<[Extra, { members_differ: ['colour', never] }]>();
    expectTypeOf<Parameters<typeof toGo<httpapi.SubscriptionPatch, SubscriptionPatch>>>().toEqualTypeOf<[SubscriptionPatch]>();
  });
});
