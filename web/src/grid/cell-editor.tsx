import { useEffect, useRef, type FocusEvent, type KeyboardEvent } from 'react';
import { GridCellKind, TextCellEntry, type GridCell, type ProvideEditorCallback, type ProvideEditorComponent } from '@glideapps/glide-data-grid';

// Glide 6's overlay editor commits a text cell from its own React state (`tempValue`), on a
// zero-delay timer that every key schedules: when Enter comes right after the last character
// (a fast typist, a barcode scanner, Playwright), the previous key's timer runs after Enter
// set the motion and commits "nothing", and Enter's own timer then finds the edit finished.
// The edit was lost, or the old value sent (upstream glideapps/glide-data-grid PR #1201).
// This editor commits on its own key handler, from the textarea itself, and stops the key
// there, so Glide's timers never see a motion and never commit.
//
// Glide also focuses its canvas one frame after a mouse press (requestAnimationFrame): an
// editor opened by that press (a double-click) could lose the focus to the grid after it
// showed, and the keys typed then went to the grid (lost, or reopening the editor on the
// character). The editor takes the focus back when the grid takes it that way.

type Motion = readonly [-1 | 0 | 1, -1 | 0 | 1];

/** Glide's canvas (its accessibility tree's cells are inside it): where its deferred focus goes. */
const GRID_CANVAS = '[data-testid="data-grid-canvas"]';

/** The motion a key ends an edit with (Enter: down, Tab: right, Shift+Tab: left, Escape: none); undefined for any other key. */
function motionOf(e: KeyboardEvent): Motion | undefined {
  if (e.nativeEvent.isComposing) return undefined; // Enter that ends an IME composition
  if (e.key === 'Enter' && !e.shiftKey) return [0, 1]; // Shift+Enter: a line break, as Glide's
  if (e.key === 'Tab') return [e.shiftKey ? -1 : 1, 0];
  if (e.key === 'Escape') return [0, 0];
  return undefined;
}

/**
 * A text cell's editor: Glide's own textarea (its look, growing with the text, Shift+Enter
 * for a line break), committing exactly what the textarea holds on Enter or Tab, cancelling
 * on Escape. The committed cell is a copy of the one the editor opened with (`{...value}`),
 * so it keeps what that cell carried (its edit target, see edit.ts).
 */
const TextEditor: ProvideEditorComponent<GridCell> = ({ value, onChange, onFinishedEditing, isHighlighted, validatedSelection }) => {
  // Set once the edit is ending (our keys) or a pointer was pressed anywhere (Glide's click
  // outside commits, and a press is someone choosing where the focus goes): from then on a
  // focus moving to the grid is meant.
  const letGo = useRef(false);
  useEffect(() => {
    const release = () => void (letGo.current = true);
    const events = ['mousedown', 'touchstart', 'contextmenu'] as const;
    for (const e of events) document.addEventListener(e, release, true);
    return () => {
      for (const e of events) document.removeEventListener(e, release, true);
    };
  }, []);
  if (value.kind !== GridCellKind.Text) return null;

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    const motion = motionOf(e);
    if (!motion) return;
    e.preventDefault();
    e.stopPropagation();
    letGo.current = true;
    onFinishedEditing(e.key === 'Escape' ? undefined : { ...value, data: e.currentTarget.value }, motion);
  };
  const onBlur = (e: FocusEvent<HTMLTextAreaElement>) => {
    const to = e.relatedTarget;
    if (letGo.current || !(to instanceof Element) || !to.closest(GRID_CANVAS)) return;
    const ta = e.currentTarget;
    // Once the grid's focus() has returned; before any key event can come.
    queueMicrotask(() => {
      if (!letGo.current && ta.isConnected && document.activeElement?.closest(GRID_CANVAS)) ta.focus({ preventScroll: true });
    });
  };
  return (
    <TextCellEntry
      highlight={isHighlighted}
      autoFocus={value.readonly !== true}
      disabled={value.readonly === true}
      altNewline
      value={value.data}
      validatedSelection={validatedSelection}
      // Glide's state still follows the text: a click outside the editor commits it.
      onChange={(e) => onChange({ ...value, data: e.target.value })}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    />
  );
};

/** DataEditor's `provideEditor`: our editor for text cells, Glide's own for any other kind. */
export const provideCellEditor: ProvideEditorCallback<GridCell> = (cell) =>
  cell.kind === GridCellKind.Text ? { editor: TextEditor, disablePadding: cell.allowWrapping === true } : undefined;
