import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../src/lib/api/types';
import { CUSTOM_MODEL, groupModels, modelLabel, modelPickerState, providerLabel } from '../src/lib/models';
import { validate, type FieldSpec } from '../src/lib/settings';

const models: ModelInfo[] = [
  { key: 'gemini-2.5-flash', provider: 'gemini', display_name: 'Gemini 2.5 Flash', available: false },
  { key: 'gpt-5-mini', provider: 'openai', display_name: 'GPT-5 mini', available: false },
  { key: 'gemini-2.5-pro', provider: 'gemini', display_name: '', available: true },
  { key: 'local', provider: 'local', display_name: 'Built-in', available: true },
  { key: 'x', provider: 'my_lab', display_name: 'X', available: true },
];

describe('model picker', () => {
  it('groups by provider in listed order, with readable provider names', () => {
    expect(groupModels(models).map(([g, ms]) => [g, ms.map((m) => m.key)])).toEqual([
      ['Google Gemini', ['gemini-2.5-flash', 'gemini-2.5-pro']],
      ['OpenAI', ['gpt-5-mini']],
      ['Local', ['local']],
      ['My lab', ['x']],
    ]);
  });

  it('marks models without a key', () => {
    expect(modelLabel(models[0]!)).toBe('Gemini 2.5 Flash — needs a key');
    expect(modelLabel(models[2]!)).toBe('gemini-2.5-pro');
  });

  it('a listed value selects it; an unlisted one or "Other…" shows the text input', () => {
    expect(modelPickerState(models, 'gpt-5-mini', false)).toEqual({ select: 'gpt-5-mini', custom: false });
    expect(modelPickerState(models, 'llama3.1:8b', false)).toEqual({ select: CUSTOM_MODEL, custom: true });
    expect(modelPickerState(models, 'local', true)).toEqual({ select: CUSTOM_MODEL, custom: true });
    expect(modelPickerState(models, '', false)).toEqual({ select: '', custom: false });
  });

  it('an empty default model is automatic, not an error', () => {
    const f = { name: 'default_model', type: 'text' } as FieldSpec;
    expect(validate(f, '')).toBeNull();
    expect(validate(f, 'llama3')).toBeNull();
  });
});

describe('discovered local servers in the model picker', () => {
  it('group under their own provider names, and a stopped server says so', () => {
    const ms = [
      { key: 'local', provider: 'local', display_name: 'Local (offline extract)', available: true },
      { key: 'ollama/llama3.2:3b', provider: 'ollama', display_name: 'Ollama · llama3.2:3b', available: true },
      { key: 'lmstudio/qwen2.5-7b', provider: 'lmstudio', display_name: 'LM Studio · qwen2.5-7b', available: false },
      { key: '10.0.0.5:8000/mistral', provider: '10.0.0.5:8000', display_name: 'Local server (10.0.0.5:8000) · mistral', available: true },
    ];
    expect(groupModels(ms).map(([g]) => g)).toEqual(['Local', 'Ollama', 'LM Studio', 'Local server 10.0.0.5:8000']);
    expect(modelLabel(ms[1]!)).toBe('Ollama · llama3.2:3b');
    expect(modelLabel(ms[2]!)).toBe('LM Studio · qwen2.5-7b — server not running');
    expect(providerLabel('llamacpp')).toBe('llama.cpp');
  });
});
