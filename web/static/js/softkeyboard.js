/*
 * パスワード用ソフトウェアキーボード (seed 001 別紙3): an on-screen keyboard operated with the
 * mouse, so a key logger on the PC does not see the password. The key order is shuffled with
 * crypto.getRandomValues every time the keyboard opens, so click positions do not reveal it
 * either.
 *
 * Every <input data-softkeyboard> gets a button that opens its own keyboard panel; one panel
 * is open at a time. Labels come from the translated #softkeyboard-labels element rendered by
 * templates/_softkeyboard.html. Loaded as a same-origin script: the CSP forbids inline ones.
 */
(function () {
  "use strict";

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var DIGITS = "0123456789";
  var DEFAULT_LABELS = {
    open: "ソフトウェアキーボード",
    title: "パスワード用ソフトウェアキーボード",
    shift: "大文字/小文字",
    backspace: "削除",
    clear: "クリア",
    close: "閉じる"
  };
  var openKeyboard = null;

  function labels() {
    var source = document.getElementById("softkeyboard-labels");
    var result = {};
    Object.keys(DEFAULT_LABELS).forEach(function (name) {
      result[name] = (source && source.dataset[name]) || DEFAULT_LABELS[name];
    });
    return result;
  }

  /* A uniform random integer in [0, n): rejection sampling avoids the modulo bias. */
  function randomBelow(n) {
    var limit = Math.floor(0x100000000 / n) * n;
    var word = new Uint32Array(1);
    do {
      window.crypto.getRandomValues(word);
    } while (word[0] >= limit);
    return word[0] % n;
  }

  /* Fisher–Yates. */
  function shuffled(characters) {
    var keys = characters.split("");
    for (var i = keys.length - 1; i > 0; i--) {
      var j = randomBelow(i + 1);
      var swap = keys[i];
      keys[i] = keys[j];
      keys[j] = swap;
    }
    return keys;
  }

  function button(text, className) {
    var element = document.createElement("button");
    element.type = "button"; // never submits the form
    element.className = className;
    element.textContent = text;
    return element;
  }

  function Keyboard(input, text, index) {
    this.input = input;
    this.upper = false;

    /* Moving a focused input blurs it, and what is typed next would go nowhere: someone (or a test)
       typing while the page still loads would lose characters. Give the focus and caret back. */
    var focused = document.activeElement === input;
    var selection = [input.selectionStart, input.selectionEnd];
    var row = document.createElement("span");
    row.className = "softkeyboard-row";
    input.parentNode.insertBefore(row, input);
    row.appendChild(input);
    if (focused) {
      input.focus();
      input.setSelectionRange(selection[0], selection[1]);
    }

    this.opener = button(text.open, "softkeyboard-open secondary");
    this.opener.setAttribute("aria-expanded", "false");
    row.appendChild(this.opener);

    this.panel = document.createElement("div");
    this.panel.className = "softkeyboard";
    this.panel.id = "softkeyboard-" + index;
    this.panel.hidden = true;
    this.panel.setAttribute("role", "group");
    this.panel.setAttribute("aria-label", text.title);
    this.opener.setAttribute("aria-controls", this.panel.id);

    var title = document.createElement("p");
    title.className = "softkeyboard-title";
    title.textContent = text.title;
    this.keys = document.createElement("div");
    this.keys.className = "keys";
    var controls = document.createElement("div");
    controls.className = "controls";
    this.shift = button(text.shift, "softkeyboard-shift secondary");
    this.shift.setAttribute("aria-pressed", "false");
    var backspace = button(text.backspace, "softkeyboard-backspace secondary");
    var clear = button(text.clear, "softkeyboard-clear secondary");
    var close = button(text.close, "softkeyboard-close");
    [this.shift, backspace, clear, close].forEach(function (control) {
      controls.appendChild(control);
    });
    this.panel.appendChild(title);
    this.panel.appendChild(this.keys);
    this.panel.appendChild(controls);
    row.parentNode.insertBefore(this.panel, row.nextSibling);

    var self = this;
    this.opener.addEventListener("click", function () {
      if (self.panel.hidden) {
        self.open();
      } else {
        self.close();
      }
    });
    this.keys.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (key) {
        self.type(key.textContent);
      }
    });
    this.shift.addEventListener("click", function () {
      self.setUpper(!self.upper);
    });
    backspace.addEventListener("click", function () {
      self.setValue(self.input.value.slice(0, -1));
    });
    clear.addEventListener("click", function () {
      self.setValue("");
    });
    close.addEventListener("click", function () {
      self.closeToField();
    });
    /* Escape, wherever the focus is in the field's row or its keyboard, closes it and goes back to the field. */
    [row, this.panel].forEach(function (area) {
      area.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !self.panel.hidden) {
          event.preventDefault();
          self.closeToField();
        }
      });
    });
  }

  Keyboard.prototype.open = function () {
    if (openKeyboard && openKeyboard !== this) {
      openKeyboard.close();
    }
    var self = this;
    this.keys.textContent = "";
    shuffled(LETTERS + DIGITS).forEach(function (character) {
      var key = button(character, "key");
      key.dataset.character = character;
      self.keys.appendChild(key);
    });
    this.setUpper(false);
    this.panel.hidden = false;
    this.opener.setAttribute("aria-expanded", "true");
    openKeyboard = this;
  };

  Keyboard.prototype.close = function () {
    this.panel.hidden = true;
    this.opener.setAttribute("aria-expanded", "false");
    if (openKeyboard === this) {
      openKeyboard = null;
    }
  };

  Keyboard.prototype.closeToField = function () {
    this.close();
    this.input.focus();
  };

  /* The case toggle relabels the letter keys in place; the order stays until the next opening. */
  Keyboard.prototype.setUpper = function (upper) {
    this.upper = upper;
    this.shift.setAttribute("aria-pressed", String(upper));
    this.keys.querySelectorAll("button.key").forEach(function (key) {
      var character = key.dataset.character;
      key.textContent = upper ? character.toUpperCase() : character;
    });
  };

  Keyboard.prototype.type = function (character) {
    var limit = this.input.maxLength;
    if (limit < 0 || this.input.value.length < limit) {
      this.setValue(this.input.value + character);
    }
  };

  Keyboard.prototype.setValue = function (value) {
    this.input.value = value;
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
  };

  function init() {
    var text = labels();
    document.querySelectorAll("input[data-softkeyboard]").forEach(function (input, index) {
      new Keyboard(input, text, index);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
