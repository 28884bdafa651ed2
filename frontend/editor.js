/*
 * The code editor of the exercise widget: CodeMirror 6 set up for Python.
 *
 * Bundled by esbuild at set-up time (`make frontend`, see the Makefile) into
 * build/frontend/editor/editor.js, an IIFE that defines window.LecternEditor:
 * a bundle of its own, apart from the widget's, so that the widget still works
 * with plain text areas when this one fails to load.
 * frontend/exercise/files.js calls LecternEditor.editorCreate(parent, options)
 * once per file of an exercise.
 *
 * Keyboard: Tab indents and Shift-Tab dedents; Esc then Tab leaves the editor
 * (CodeMirror's escape hatch, so the editor is never a keyboard trap), and
 * Ctrl-M (Shift-Alt-M on macOS) switches Tab between indenting and moving on.
 */
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorSelection, EditorState, Prec, Transaction } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

/* Colours come from the page's CSS variables (static/css/site.css), so the
   editor follows the light and dark schemes; token colours are the tok-*
   classes of classHighlighter, styled in static/css/exercise.css. */
const theme = EditorView.theme({
  "&": {
    color: "var(--fg)",
    backgroundColor: "var(--bg-soft)",
    border: "1px solid var(--border)",
    borderRadius: "var(--radius)",
    fontSize: "0.9375rem",
  },
  "&.cm-focused": {
    outline: "3px solid var(--focus)",
    outlineOffset: "2px",
  },
  ".cm-scroller": {
    fontFamily: "var(--mono)",
    lineHeight: "1.5",
    minHeight: "12rem",
    maxHeight: "32rem",
    overflow: "auto",
  },
  ".cm-content": {
    caretColor: "var(--fg)",
    padding: "0.5rem 0",
  },
  ".cm-cursor, .cm-dropCursor": {
    borderLeftColor: "var(--fg)",
    borderLeftWidth: "2px",
  },
  ".cm-gutters": {
    backgroundColor: "var(--bg-soft)",
    color: "var(--fg-soft)",
    borderRight: "1px solid var(--border)",
    borderRadius: "var(--radius) 0 0 var(--radius)",
  },
  ".cm-activeLine": {
    backgroundColor: "color-mix(in srgb, var(--accent) 7%, transparent)",
  },
  ".cm-activeLineGutter": {
    backgroundColor: "color-mix(in srgb, var(--accent) 12%, transparent)",
    color: "var(--fg)",
  },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    {
      backgroundColor: "color-mix(in srgb, var(--accent) 30%, transparent)",
    },
  "&.cm-focused .cm-matchingBracket": {
    backgroundColor: "color-mix(in srgb, var(--pass) 25%, transparent)",
    outline: "1px solid var(--pass)",
  },
  "&.cm-focused .cm-nonmatchingBracket": {
    backgroundColor: "color-mix(in srgb, var(--fail) 25%, transparent)",
    outline: "1px solid var(--fail)",
  },
  ".cm-panels": {
    backgroundColor: "var(--bg-soft)",
    color: "var(--fg)",
  },
});

function shortcuts(commands) {
  const bindings = [];
  if (commands.run) bindings.push({ key: "Mod-Enter", run: () => (commands.run(), true) });
  if (commands.submit) bindings.push({ key: "Shift-Mod-Enter", run: () => (commands.submit(), true) });
  return Prec.highest(keymap.of(bindings));
}

/**
 * Mount an editor for one file on `parent`.
 *
 * options: doc (the text), label (the accessible name), describedBy (an element
 * id), onChange(text) called after every edit, commands {run, submit} bound to
 * Ctrl-Enter and Ctrl-Shift-Enter.
 * Returns {view, getValue, setValue(text, {undoable}), focus, goToLine(n), destroy}.
 */
export function editorCreate(parent, options = {}) {
  const onChange = options.onChange || (() => {});
  const attributes = { "aria-label": options.label || "Code editor", "aria-multiline": "true" };
  if (options.describedBy) attributes["aria-describedby"] = options.describedBy;

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        shortcuts(options.commands || {}),
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        EditorState.allowMultipleSelections.of(true),
        EditorState.tabSize.of(4),
        indentUnit.of("    "),
        indentOnInput(),
        syntaxHighlighting(classHighlighter),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
        python(),
        theme,
        EditorView.contentAttributes.of(attributes),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,
    getValue() {
      return view.state.doc.toString();
    },
    /* Replace the whole text. undoable: false (say, a restored draft) keeps
       the change out of the undo history. An undoable replacement (Reset to
       starter) is an undo step of its own: CodeMirror joins changes made
       within half a second into one step, so a reset right after typing would
       otherwise be undone together with that typing, and Ctrl+Z would not
       bring the typed code back. */
    setValue(text, { undoable = true } = {}) {
      if (text === view.state.doc.toString()) return;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: EditorSelection.cursor(0),
        annotations: undoable ? [isolateHistory.of("full")] : [Transaction.addToHistory.of(false)],
      });
    },
    focus() {
      view.focus();
    },
    /* Put the cursor at the start of a line (1-based) and show it. */
    goToLine(number) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(1, number || 1), doc.lines));
      view.dispatch({ selection: EditorSelection.cursor(line.from), scrollIntoView: true });
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
