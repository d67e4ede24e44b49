// The SPARQL editor of the /query page: CodeMirror 6 with the SPARQL mode of
// @codemirror/legacy-modes, bundled by build.sh into one script that sets the
// global `PolicykgEditor`. The page's own behaviour (running, cancelling,
// sorting, paging) lives in src/policykg/static/editor.js; this file only
// builds the editor, so that a CodeMirror upgrade touches one place.
import { EditorState, StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import {
  StreamLanguage, syntaxHighlighting, indentOnInput, bracketMatching, indentUnit,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { classHighlighter } from "@lezer/highlight";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from "@codemirror/autocomplete";

// ---- the error mark: the line, and the character the message points at

const setError = StateEffect.define();

const errorField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(setError)) return e.value ? errorDecorations(tr.state, e.value) : Decoration.none;
    }
    // Any edit makes the old position meaningless, so the mark goes with it.
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function errorDecorations(state, { line, column }) {
  if (line < 1 || line > state.doc.lines) return Decoration.none;
  const l = state.doc.line(line);
  const at = Math.min(l.from + Math.max(0, column - 1), l.to);
  const builder = new RangeSetBuilder();
  builder.add(l.from, l.from, Decoration.line({ class: "cm-error-line" }));
  if (at < l.to) builder.add(at, at + 1, Decoration.mark({ class: "cm-error-at" }));
  return builder.finish();
}

// ---- prefix completion

// Prefixes the text declares itself, beside the predeclared ones.
const DECLARED = /\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi;

function knownPrefixes(state, predeclared) {
  const all = new Map(Object.entries(predeclared));
  for (const m of state.doc.toString().matchAll(DECLARED)) all.set(m[1] || "", m[2]);
  return all;
}

function prefixCompletion(predeclared) {
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const known = knownPrefixes(context.state, predeclared);
    // After "PREFIX ": a whole declaration, name and namespace.
    const decl = /\bPREFIX\s+([A-Za-z][\w.-]*:?)?$/i.exec(before);
    if (decl) {
      const from = context.pos - (decl[1] || "").length;
      return {
        from,
        options: [...Object.entries(predeclared)].map(([p, ns]) => ({
          label: `${p}:`, apply: `${p}: <${ns}>`, detail: ns, type: "namespace",
        })),
        validFor: /^[\w.-]*:?$/,
      };
    }
    // A prefixed name being typed: "rd", "xyz:" or "pk:Pol". Not a variable,
    // not inside an IRI or a string.
    const word = /(?:^|[^\w?$<"':.-])([A-Za-z][\w.-]*)(:[\w.-]*)?$/.exec(before);
    if (!word || (!context.explicit && !word[2] && word[1].length < 2)) return null;
    const from = context.pos - word[1].length - (word[2] || "").length;
    const typed = word[1];
    const options = [...known.entries()]
      .filter(([p]) => p && (word[2] ? p === typed || p.startsWith(typed) : p.startsWith(typed)))
      .map(([p, ns]) => ({ label: `${p}:`, detail: ns, type: "namespace" }));
    if (!options.length) return null;
    return { from, options, validFor: /^[\w.-]*:?$/ };
  };
}

// ---- the editor

const theme = EditorView.theme({
  "&": { fontSize: "0.95rem" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", minHeight: "10em" },
  ".cm-scroller": { overflow: "auto", maxHeight: "28em" },
});

function create(textarea, { prefixes = {}, onRun = () => {}, label = "SPARQL query" } = {}) {
  const runKeys = [
    { key: "Mod-Enter", run: () => { onRun(); return true; }, preventDefault: true },
    { key: "Shift-Mod-Enter", run: () => { onRun(); return true; }, preventDefault: true },
  ];
  const state = EditorState.create({
    doc: textarea.value,
    extensions: [
      keymap.of(runKeys),
      lineNumbers(),
      highlightActiveLineGutter(),
      history(),
      drawSelection(),
      indentOnInput(),
      indentUnit.of("  "),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      StreamLanguage.define(sparql),
      syntaxHighlighting(classHighlighter),
      autocompletion({ override: [prefixCompletion(prefixes)], icons: false }),
      errorField,
      placeholder("SELECT … WHERE { … }"),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      // The scroller overflows on a phone (long lines) and for long queries; a
      // scroll region needs focusable content for keyboard users, and an
      // explicit tabindex is what says so (contenteditable alone is not counted
      // by axe). It adds no tab stop: the content is in the tab order already.
      EditorView.contentAttributes.of({
        "aria-label": label, "aria-multiline": "true", spellcheck: "false", tabindex: "0",
      }),
      EditorView.updateListener.of((u) => { if (u.docChanged) textarea.value = u.state.doc.toString(); }),
      theme,
    ],
  });
  const view = new EditorView({ state });
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.hidden = true;
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    markError(line, column) {
      view.dispatch({ effects: setError.of({ line, column }) });
      if (line >= 1 && line <= view.state.doc.lines) {
        view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(line).from, { y: "nearest" }) });
      }
    },
    clearError() { view.dispatch({ effects: setError.of(null) }); },
    focus() { view.focus(); },
  };
}

globalThis.PolicykgEditor = { create };
