import type { ModelInfo } from '../lib/api/types';
import { LANGUAGES, LENGTHS, STYLES } from '../stores/prefs';
import { humanize } from '../lib/format';
import { groupModels, modelLabel, type Choices } from '../lib/models';

export const STYLE_LABELS: Record<string, string> = {
  audio: 'For listening', key_points: 'Key points', chapters: 'Chapters', detailed: 'Detailed', custom: 'Custom prompt',
};

export type OptionValues = Choices;

/** The choices of one picker, plus the current value when the list does not have it (a setting made elsewhere). */
function withValue(list: [string, string][], value: string): [string, string][] {
  return !value || list.some(([v]) => v === value) ? list : [...list, [value, humanize(value)]];
}

/**
 * Model, style, length and language pickers, shared by the form and "regenerate". An empty
 * value means "the service's default" and is shown as such (with "loading…" while the
 * defaults are not known yet); the offline model is always among the models.
 */
export function SummaryOptions({ models, value, onChange, idPrefix, loading = false }: {
  models: ModelInfo[];
  value: OptionValues;
  onChange(v: Partial<OptionValues>): void;
  idPrefix: string;
  loading?: boolean;
}) {
  const groups = groupModels(models);
  const listed = models.some((m) => m.key === value.model);
  const dflt = loading ? 'Your default (loading…)' : 'Your default';
  const styles = withValue(STYLES.map((s) => [s, STYLE_LABELS[s] ?? humanize(s)]), value.style);
  const lengths = withValue(LENGTHS.map((l) => [l, humanize(l)]), value.length);
  const languages = withValue(LANGUAGES.map(([c, n]) => [c, n]), value.language);
  return (
    <div class="options">
      <label for={`${idPrefix}-model`}>
        Model
        <select id={`${idPrefix}-model`} value={value.model} onChange={(e) => onChange({ model: e.currentTarget.value })}>
          {!value.model && <option value="">{dflt}</option>}
          {groups.map(([g, ms]) => (
            <optgroup key={g} label={g}>
              {ms.map((m) => (
                <option key={m.key} value={m.key} disabled={!m.available}>
                  {modelLabel(m, ' (no key)')}
                </option>
              ))}
            </optgroup>
          ))}
          {value.model && !listed && <option value={value.model}>{value.model}</option>}
        </select>
      </label>
      <label for={`${idPrefix}-style`}>
        Style
        <select id={`${idPrefix}-style`} value={value.style} onChange={(e) => onChange({ style: e.currentTarget.value })}>
          {!value.style && <option value="">{dflt}</option>}
          {styles.map(([s, label]) => <option key={s} value={s}>{label}</option>)}
        </select>
      </label>
      <label for={`${idPrefix}-length`}>
        Length
        <select id={`${idPrefix}-length`} value={value.length} onChange={(e) => onChange({ length: e.currentTarget.value })}>
          {!value.length && <option value="">{dflt}</option>}
          {lengths.map(([l, label]) => <option key={l} value={l}>{label}</option>)}
        </select>
      </label>
      <label for={`${idPrefix}-language`}>
        Language
        <select id={`${idPrefix}-language`} value={value.language} onChange={(e) => onChange({ language: e.currentTarget.value })}>
          {!value.language && <option value="">{dflt}</option>}
          {languages.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </label>
    </div>
  );
}
