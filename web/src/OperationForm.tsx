import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { commandNames } from '../../src/protocol/command-names.ts';
import { positionOf, sentValue, type OperationSpec, type Param } from './ops.ts';
import type { ColumnMeta } from './grid/header.ts';
import { typeStyle } from './grid/header.ts';
import { regexProblem } from './regex.ts';

// Columns are held by name (a position would point at another column once columns are added
// or deleted, here or in another tab) and turned into positions when the form is sent.
type Value = string | boolean | string[];

export interface OperationFormProps {
  spec: OperationSpec;
  columns: ColumnMeta[];
  preset: Record<string, unknown>;
  busy: boolean;
  serverError: string | null;
  onSubmit(params: Record<string, unknown>): void;
  onCancel(): void;
}

const isColumnControl = (p: Param) => p.control === 'column' || p.control === 'columnName' || p.control === 'columns' || p.control === 'columnNames';

function initial(p: Param, preset: unknown, columns: ColumnMeta[]): Value {
  const name = (c: unknown) => (typeof c === 'number' ? (columns[c]?.name ?? '') : String(c));
  switch (p.control) {
    case 'column':
    case 'columnName':
      return preset !== undefined && preset !== null ? name(preset) : '';
    case 'columns':
    case 'columnNames':
      return (Array.isArray(preset) ? (preset as unknown[]) : preset !== undefined ? [preset] : []).map(name);
    case 'boolean':
      return preset !== undefined ? preset === true : p.default === true;
    case 'rows':
      return Array.isArray(preset) ? (preset as number[]).join(', ') : '';
    case 'list':
      return Array.isArray(preset) ? (preset as unknown[]).map(String).join('\n') : '';
    default:
      return preset !== undefined && preset !== null ? String(preset) : p.default !== undefined && p.default !== null ? String(p.default) : '';
  }
}

/** "1, 4, 10-12" → [1, 4, 10, 11, 12]; null when a part is not a position. */
function parsePositions(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(/[\s,;]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a || b - a > 100_000) return null;
      for (let i = a; i <= b; i++) out.push(i);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else return null;
  }
  return out;
}

/**
 * A form generated from an operation's published JSON Schema: each parameter gets the
 * control its `x-role` or type calls for. The values are checked locally with the schema
 * (and regexes compiled) before sending; the server checks them again.
 */
export function OperationForm({ spec, columns, preset, busy, serverError, onSubmit, onCancel }: OperationFormProps) {
  const [values, setValues] = useState<Record<string, Value>>(() => Object.fromEntries(spec.params.map((p) => [p.name, initial(p, preset[p.name], columns)])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const sqlRef = useRef<HTMLTextAreaElement>(null);
  // Where the SQL editor's caret goes once the text an Insert chip put in is rendered (React
  // writing the new value moves the caret to the end).
  const sqlCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const ta = sqlRef.current;
    if (sqlCaret.current === null || !ta) return;
    ta.setSelectionRange(sqlCaret.current, sqlCaret.current);
    sqlCaret.current = null;
  });
  const set = (name: string, v: Value) => setValues((old) => ({ ...old, [name]: v }));
  const position = (name: string) => positionOf(columns, name);
  // Chosen columns no longer in the dataset: the form says so and is not sent until they are replaced.
  const gone = [...new Set(spec.params.filter(isColumnControl).flatMap((p) => [values[p.name]].flat() as string[]))].filter((n) => n !== '' && position(n) < 0);

  const build = (): { params: Record<string, unknown>; errors: Record<string, string> } => {
    const params: Record<string, unknown> = {};
    const errs: Record<string, string> = {};
    for (const p of spec.params) {
      const v = values[p.name];
      switch (p.control) {
        case 'column':
          if (v !== '') params[p.name] = sentValue(p.control, v, columns);
          break;
        case 'row':
        case 'integer':
        case 'number': {
          const text = String(v).trim();
          if (text === '') break;
          const n = Number(text);
          if (!Number.isFinite(n) || ((p.control !== 'number') && !Number.isInteger(n))) errs[p.name] = p.control === 'number' ? 'enter a number' : 'enter a whole number';
          else if (p.schema.minimum !== undefined && n < p.schema.minimum) errs[p.name] = `must be at least ${p.schema.minimum}`;
          else params[p.name] = n;
          break;
        }
        case 'columns':
        case 'columnNames':
          if ((v as string[]).length) params[p.name] = sentValue(p.control, v, columns);
          else if (p.required) errs[p.name] = 'choose at least one column';
          break;
        case 'rows': {
          const list = parsePositions(String(v));
          if (list === null) errs[p.name] = 'row positions, e.g. 1, 4, 10-12';
          else if (list.length) params[p.name] = list;
          break;
        }
        case 'boolean':
          params[p.name] = v === true;
          break;
        case 'list': {
          // What is searched for must be given; what it becomes may be nothing: an empty
          // required list of values is one empty value (findReplace's replaceWith [""]).
          const text = String(v);
          if (text !== '') params[p.name] = text.split('\n');
          else if (p.required && p.schema['x-role'] !== 'regex') params[p.name] = [''];
          break;
        }
        default: {
          const text = String(v);
          if (text !== '' || (p.required && p.control === 'text')) params[p.name] = text;
        }
      }
      if (p.required && params[p.name] === undefined && !errs[p.name]) errs[p.name] = 'required';
    }
    // Regexes: compiled here, so a typo is caught before the round trip.
    for (const p of spec.params) {
      if (p.schema['x-role'] !== 'regex') continue;
      if (p.regexFlag && params[p.regexFlag] !== true) continue;
      const patterns = Array.isArray(params[p.name]) ? (params[p.name] as string[]) : params[p.name] !== undefined ? [String(params[p.name])] : [];
      for (const re of patterns) {
        const problem = regexProblem(re);
        if (problem !== null) errs[p.name] = `not a valid regular expression: ${problem}`;
      }
    }
    if (Object.keys(errs).length === 0) {
      const checked = spec.validator.safeParse(params);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const key = String(issue.path[0] ?? '_');
          errs[key] ??= issue.message;
        }
      }
    }
    return { params, errors: errs };
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const { params, errors: errs } = build();
    setErrors(errs);
    if (Object.keys(errs).length === 0 && gone.length === 0) onSubmit(params);
  };

  const columnOptions = useMemo(
    () =>
      columns.map((c, i) => (
        <option key={i} value={c.name}>
          {c.name} · {typeStyle(c.type).label}
        </option>
      )),
    [columns],
  );
  const goneOption = (v: Value) =>
    typeof v === 'string' && gone.includes(v) ? (
      <option value={v} disabled>
        {v} · no longer exists
      </option>
    ) : null;

  const control = (p: Param) => {
    const v = values[p.name];
    const id = `f-${spec.name}-${p.name}`;
    switch (p.control) {
      case 'column':
      case 'columnName':
        return (
          <select id={id} name={p.name} value={String(v)} onChange={(e) => set(p.name, e.target.value)}>
            <option value="">Choose a column…</option>
            {columnOptions}
            {goneOption(v)}
          </select>
        );
      case 'columns':
      case 'columnNames': {
        const list = v as string[];
        const entries = [...columns.map((c) => ({ name: c.name, type: typeStyle(c.type).label })), ...list.filter((n) => gone.includes(n)).map((n) => ({ name: n, type: 'gone' }))];
        return (
          <div className="checklist" id={id}>
            {entries.map(({ name, type }) => {
              const on = list.includes(name);
              return (
                <label key={name} className={on ? 'on' : ''}>
                  <input type="checkbox" checked={on} onChange={() => set(p.name, on ? list.filter((x) => x !== name) : [...list, name])} />
                  <span>{name}</span>
                  <em>{type}</em>
                </label>
              );
            })}
          </div>
        );
      }
      case 'choice':
        // A list of the published values (enum, or the examples of a lenient text like
        // changeColumnDataType's newDataType); free text only when none are published.
        return p.choices.length ? (
          <select id={id} name={p.name} value={String(v)} onChange={(e) => set(p.name, e.target.value)}>
            <option value="">Choose…</option>
            {p.choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ) : (
          <input id={id} name={p.name} value={String(v)} onChange={(e) => set(p.name, e.target.value)} autoComplete="off" />
        );
      case 'boolean':
        return (
          <label className="switch">
            <input id={id} name={p.name} type="checkbox" checked={v === true} onChange={(e) => set(p.name, e.target.checked)} />
            <span>{v === true ? 'yes' : 'no'}</span>
          </label>
        );
      case 'sql':
        return (
          <div className="sql">
            <textarea
              id={id}
              name={p.name}
              ref={sqlRef}
              spellCheck={false}
              rows={8}
              value={String(v)}
              placeholder={'SELECT *, price * qty AS total\nFROM df\nWHERE qty > 0'}
              onChange={(e) => set(p.name, e.target.value)}
              onKeyDown={(e) => {
                if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') submit(e);
              }}
            />
            <div className="sql-columns">
              <span>Insert:</span>
              {['df', ...commandNames(columns.map((c) => c.name)).names].map((name, i) => (
                <button
                  type="button"
                  key={i}
                  className="chip-btn"
                  // A click leaves the focus in the editor: a chip holding it, even until the
                  // next frame, took the keys typed next (a space pressed it again).
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => {
                    const ta = sqlRef.current;
                    const text = i === 0 || /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
                    const cur = String(values[p.name]);
                    const at = ta ? ta.selectionStart : cur.length;
                    const next = cur.slice(0, at) + text + cur.slice(ta ? ta.selectionEnd : at);
                    // Focused now, not in a later frame: a chip reached with Tab gives the keyboard back at once.
                    ta?.focus();
                    sqlCaret.current = at + text.length;
                    set(p.name, next);
                  }}
                >
                  {name}
                </button>
              ))}
            </div>
          </div>
        );
      case 'list':
        return <textarea id={id} name={p.name} rows={3} value={String(v)} placeholder={p.required && p.schema['x-role'] !== 'regex' ? 'one value per line (empty: nothing)' : 'one value per line'} onChange={(e) => set(p.name, e.target.value)} className={p.schema['x-role'] === 'regex' ? 'mono' : ''} />;
      default:
        return (
          <input
            id={id}
            name={p.name}
            value={String(v)}
            inputMode={p.control === 'number' || p.control === 'integer' || p.control === 'row' ? 'decimal' : undefined}
            className={p.control === 'regex' ? 'mono' : ''}
            placeholder={p.control === 'rows' ? 'e.g. 1, 4, 10-12' : p.control === 'regex' ? (p.regexFlag ? `text (a regex when “${p.regexFlag}”)` : 'regular expression') : (p.schema.description ?? '')}
            onChange={(e) => set(p.name, e.target.value)}
            autoComplete="off"
          />
        );
    }
  };

  return (
    <form className="op-form" onSubmit={submit} noValidate data-operation={spec.name}>
      <p className="summary">{spec.summary}</p>
      {spec.params.map((p) => (
        <div className={`field${errors[p.name] ? ' invalid' : ''}`} key={p.name}>
          <label htmlFor={`f-${spec.name}-${p.name}`}>
            {p.label}
            {p.required && !(p.control === 'list' && p.schema['x-role'] !== 'regex') ? <b title="required"> *</b> : null}
            {p.regexFlag ? <small> regex when “{p.regexFlag}”</small> : p.schema['x-role'] === 'regex' ? <small> regex</small> : null}
          </label>
          {control(p)}
          {errors[p.name] ? <div className="field-error">{errors[p.name]}</div> : null}
        </div>
      ))}
      {errors._ ? <div className="field-error">{errors._}</div> : null}
      {gone.length ? (
        <div className="alert error" role="alert" data-testid="form-columns-gone">
          {gone.length === 1 ? `The column “${gone[0]}” no longer exists` : `The columns ${gone.map((n) => `“${n}”`).join(', ')} no longer exist`} (deleted or renamed since this form was opened). Choose {gone.length === 1 ? 'another column' : 'other columns'} to apply this.
        </div>
      ) : null}
      {serverError ? (
        <div className="alert error" role="alert">
          {serverError}
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={busy || gone.length > 0}>
          {busy ? 'Applying…' : 'Apply'}
        </button>
      </div>
    </form>
  );
}
