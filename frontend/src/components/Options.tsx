import type { ModelInfo } from '../lib/api/types';
import { LANGUAGES, LENGTHS, STYLES } from '../stores/prefs';
import { humanize } from '../lib/format';
import { groupModels } from '../lib/models';

export const STYLE_LABELS: Record<string, string> = {
  audio: 'For listening', key_points: 'Key points', chapters: 'Chapters', detailed: 'Detailed', custom: 'Custom prompt',
};

export interface OptionValues {
  model: string;
  style: string;
  length: string;
  language: string;
}

/** Model, style, length and language pickers, shared by the form and "regenerate". */
export function SummaryOptions({ models, value, onChange, idPrefix }: {
  models: ModelInfo[];
  value: OptionValues;
  onChange(v: Partial<OptionValues>): void;
  idPrefix: string;
}) {
  const groups = groupModels(models);
  const anyAvailable = models.some((m) => m.available);
  return (
    <div class="options">
      <label for={`${idPrefix}-model`}>
        Model
        <select id={`${idPrefix}-model`} value={value.model} onChange={(e) => onChange({ model: e.currentTarget.value })}>
          {!anyAvailable && <option value="">No AI model available — add an API key in Settings</option>}
          {anyAvailable && !value.model && <option value="">Default model</option>}
          {groups.map(([g, ms]) => (
            <optgroup key={g} label={g}>
              {ms.map((m) => (
                <option key={m.key} value={m.key} disabled={!m.available}>
                  {m.display_name || m.key}{m.available ? '' : ' (no key)'}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label for={`${idPrefix}-style`}>
        Style
        <select id={`${idPrefix}-style`} value={value.style} onChange={(e) => onChange({ style: e.currentTarget.value })}>
          {STYLES.map((s) => <option key={s} value={s}>{STYLE_LABELS[s]}</option>)}
        </select>
      </label>
      <label for={`${idPrefix}-length`}>
        Length
        <select id={`${idPrefix}-length`} value={value.length} onChange={(e) => onChange({ length: e.currentTarget.value })}>
          {LENGTHS.map((l) => <option key={l} value={l}>{humanize(l)}</option>)}
        </select>
      </label>
      <label for={`${idPrefix}-language`}>
        Language
        <select id={`${idPrefix}-language`} value={value.language} onChange={(e) => onChange({ language: e.currentTarget.value })}>
          {LANGUAGES.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </label>
    </div>
  );
}
