/*
 * The files of one exercise: an editor per file (CodeMirror from the editor
 * bundle, window.LecternEditor; the plain text area when the bundle did not
 * load), the tabs between them, and the checks made before sending.
 */
import { formatBytes, plural } from "./text.js";

/* Tab inserts four spaces; Esc then Tab leaves the field, so keyboard users
   are never trapped (WCAG 2.1.2). Only used without the editor bundle. */
function textareaKeys(textarea) {
  let escaped = false;
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    if (event.key === "Tab" && !escaped && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      textarea.setRangeText("    ", textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input"));
      return;
    }
    escaped = false;
  });
}

/* The same interface as LecternEditor.editorCreate's, on the text area. */
function textareaEditor(textarea, onChange) {
  textareaKeys(textarea);
  textarea.addEventListener("input", () => onChange(textarea.value));
  return {
    getValue: () => textarea.value,
    setValue: (text) => {
      textarea.value = text;
    },
    focus: () => textarea.focus(),
    goToLine: (number) => {
      const lines = textarea.value.split("\n");
      let offset = 0;
      for (let index = 0; index < Math.max(0, number - 1) && index < lines.length; index++) {
        offset += lines[index].length + 1;
      }
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
    },
  };
}

function fileEditor(panel, textarea, { name, commands, onChange }) {
  const changed = (text) => {
    // The text area keeps the current text: author mode (author.js) compares
    // it with the starter to know whether reloading would lose edits.
    textarea.value = text;
    onChange();
  };
  const bundle = window.LecternEditor;
  if (!bundle || typeof bundle.editorCreate !== "function") return textareaEditor(textarea, changed);
  const mount = document.createElement("div");
  mount.className = "exercise__editor";
  textarea.after(mount);
  textarea.hidden = true;
  const label = panel.querySelector(".exercise__file-label");
  if (label) label.hidden = true;
  return bundle.editorCreate(mount, {
    doc: textarea.value,
    label: name + ", Python code editor",
    describedBy: textarea.getAttribute("aria-describedby"),
    onChange: changed,
    commands,
  });
}

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

export class Files {
  /* commands: {run, submit} for the editor's shortcuts; onChange() after each
     edit the learner makes (not after setValues). */
  constructor(root, { commands, onChange }) {
    this.root = root;
    this.maxFiles = parseInt(root.dataset.maxFiles, 10) || 0;
    this.maxBytes = parseInt(root.dataset.maxBytes, 10) || 0;
    // While a draft or the starter is being put in: that is not an edit.
    this.applying = false;
    this.list = Array.from(root.querySelectorAll(".exercise__panel"), (panel) => {
      const textarea = panel.querySelector("textarea[data-filename]");
      const name = textarea.getAttribute("data-filename");
      return {
        name,
        panel,
        tab: root.querySelector('[role="tab"][data-filename="' + CSS.escape(name) + '"]'),
        starter: textarea.defaultValue,
        editor: fileEditor(panel, textarea, {
          name,
          commands,
          onChange: () => {
            if (!this.applying) onChange();
          },
        }),
      };
    });
    this.setUpTabs();
  }

  setUpTabs() {
    const tablist = this.root.querySelector('[data-role="tablist"]');
    const files = this.list.filter((file) => file.tab);
    if (!tablist || files.length !== this.list.length) return;
    tablist.hidden = false;
    files.forEach((file, index) => {
      file.tab.addEventListener("click", () => this.select(file, false));
      file.tab.addEventListener("keydown", (event) => {
        let next = null;
        if (event.key === "ArrowRight") next = files[(index + 1) % files.length];
        else if (event.key === "ArrowLeft") next = files[(index - 1 + files.length) % files.length];
        else if (event.key === "Home") next = files[0];
        else if (event.key === "End") next = files[files.length - 1];
        if (!next) return;
        event.preventDefault();
        this.select(next, true);
      });
    });
    this.select(files[0], false);
  }

  /* WAI-ARIA tabs with automatic activation: the selected tab is the only one
     in the tab order; arrows, Home and End move between tabs. */
  select(chosen, focusTab) {
    this.list.forEach((file) => {
      const selected = file === chosen;
      if (file.tab) {
        file.tab.setAttribute("aria-selected", selected ? "true" : "false");
        file.tab.tabIndex = selected ? 0 : -1;
      }
      file.panel.hidden = !selected;
    });
    if (focusTab && chosen.tab) chosen.tab.focus();
  }

  has(name) {
    return this.list.some((file) => file.name === name);
  }

  /* Open the file's tab and put the cursor on the line (1-based). */
  goTo(name, line) {
    const file = this.list.find((each) => each.name === name);
    if (!file) return;
    this.select(file, false);
    file.editor.goToLine(line);
  }

  /* "app.py" for one file, "every file" for more: for questions about all of them. */
  describe() {
    return this.list.length === 1 ? this.list[0].name : "every file";
  }

  /* {name: text} of what the editors hold. */
  values() {
    const values = {};
    this.list.forEach((file) => {
      values[file.name] = file.editor.getValue();
    });
    return values;
  }

  starterValues() {
    const values = {};
    this.list.forEach((file) => {
      values[file.name] = file.starter;
    });
    return values;
  }

  /* Put texts into the files named in values. undoable: false keeps the
     change out of the undo history (a restored draft). */
  setValues(values, undoable) {
    this.applying = true;
    try {
      this.list.forEach((file) => {
        if (typeof values[file.name] === "string") file.editor.setValue(values[file.name], { undoable });
      });
    } finally {
      this.applying = false;
    }
  }

  isStarter(values) {
    return this.list.every((file) => (values[file.name] || "") === file.starter);
  }

  /* What stops these files from being sent, in words, or "". The server
     checks again; this saves a round trip and says it before the upload. */
  check(values) {
    const names = Object.keys(values);
    if (this.maxFiles && names.length > this.maxFiles) {
      return "This has " + plural(names.length, "file") + "; at most " + this.maxFiles + " may be sent.";
    }
    const bytes = names.reduce((total, name) => total + byteLength(values[name]), 0);
    if (this.maxBytes && bytes > this.maxBytes) {
      return (
        "Your code is " +
        formatBytes(bytes) +
        " in all; at most " +
        formatBytes(this.maxBytes) +
        " may be sent. Make it shorter, then try again."
      );
    }
    if (names.every((name) => values[name].trim() === "")) return "Every file is empty: write some code first.";
    return "";
  }
}
