/*
 * 海纳百创政策助手 · embeddable chat widget. Plain JS, no dependencies, no build step.
 *
 *   <script src="https://host/static/haina-widget.js" data-chat-url="https://host/api/chat"></script>
 *
 * data-chat-url (formerly data-rasa-url): this project's /api/chat, which proxies to Rasa (Rasa
 * itself is internal). Default: /api/chat on the script's own server.
 * Optional: data-title, data-open="true" (start opened).
 *
 * The server names the conversation: its first answer carries a signed session token in the
 * X-Haina-Session header, which the widget sends back with every message. The token and the
 * transcript are kept in localStorage so a reload keeps the conversation; "重新开始" drops the
 * token, so the next message starts a new one. Bot text is always inserted as text (never as HTML).
 */
(function () {
  "use strict";
  if (window.HainaWidget) return; // embedded twice: keep the first

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='haina-widget']");
    return all[all.length - 1];
  })();
  var scriptUrl = new URL(script.getAttribute("src"), document.baseURI);
  var base = scriptUrl.href.replace(/[^/]*$/, "");
  var endpoint = script.getAttribute("data-chat-url") || script.getAttribute("data-rasa-url") ||
    new URL("/api/chat", scriptUrl).href;
  var SESSION_HEADER = "X-Haina-Session";
  var title = script.getAttribute("data-title") || "海纳百创政策助手";
  var STORE_KEY = "haina-widget:v2:" + endpoint; // v1 held a sender id the page chose
  var MAX_MESSAGES = 200;
  var WELCOME = "您好！我是海纳百创政策助手，可以帮您查询上海创业补贴、创业担保贷款、创业培训、孵化基地等政策，也可以帮您预约创业指导专家。请问有什么可以帮您？";

  // ---------------------------------------------------------------- state
  function load() {
    try {
      var data = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (data && Array.isArray(data.messages)) {
        if (typeof data.session !== "string") data.session = null;
        return data;
      }
    } catch (e) { /* storage blocked or corrupt: start over */ }
    return { session: null, messages: [], open: false };
  }
  var state = load();
  function save() {
    state.messages = state.messages.slice(-MAX_MESSAGES);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  var URL_RE = /(https?:\/\/[^\s，。；、）)》」"'<>]+)/g;
  function appendLinked(parent, text) {
    var last = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text))) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = el("a", "hw-link", match[1]);
      a.href = match[1];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
      last = match.index + match[1].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------- stylesheet
  if (!document.querySelector("link[data-haina-widget]")) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "haina-widget.css";
    css.setAttribute("data-haina-widget", "");
    document.head.appendChild(css);
  }

  // ---------------------------------------------------------------- layout
  var root = el("div", "hw-root");
  root.id = "haina-widget";
  var launcher = el("button", "hw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "打开" + title);
  launcher.appendChild(el("span", "hw-launcher-icon", "💬"));
  launcher.appendChild(el("span", "hw-launcher-text", "政策咨询"));

  var panel = el("section", "hw-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var header = el("header", "hw-header");
  var heading = el("div", "hw-title");
  heading.appendChild(el("strong", null, title));
  heading.appendChild(el("span", "hw-subtitle", "上海市公共创业服务 · 7×24 小时"));
  var restart = el("button", "hw-restart", "重新开始");
  restart.type = "button";
  var close = el("button", "hw-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "关闭");
  header.appendChild(heading);
  header.appendChild(restart);
  header.appendChild(close);

  var log = el("div", "hw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "hw-form");
  var input = el("textarea", "hw-input");
  input.rows = 1;
  input.maxLength = 1000;
  input.placeholder = "请输入您的问题…";
  input.setAttribute("aria-label", "输入问题");
  var send = el("button", "hw-send", "发送");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  var footer = el("p", "hw-footer", "回答仅供参考，以经办部门审核为准；人工咨询请拨打 12333。");

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);
  panel.appendChild(footer);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- rendering
  function renderText(bubble, text) {
    var lines = [], sources = [];
    text.split("\n").forEach(function (line) {
      if (/^\s*来源[:：]/.test(line)) sources.push(line.trim()); else lines.push(line);
    });
    while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
    while (lines.length && !lines[0].trim()) lines.shift();
    if (lines.length) {
      var body = el("div", "hw-text");
      lines.forEach(function (line) {
        var p = el("div", "hw-line");
        if (!line.trim()) p.className += " hw-gap";
        appendLinked(p, line);
        body.appendChild(p);
      });
      bubble.appendChild(body);
    }
    if (sources.length) {
      // Rasa often sends the citations as their own message: then they need no separator line.
      var foot = el("div", lines.length ? "hw-sources" : "hw-sources hw-sources-only");
      sources.forEach(function (line) {
        var s = el("div", "hw-source");
        appendLinked(s, line);
        foot.appendChild(s);
      });
      bubble.appendChild(foot);
    }
  }

  function renderMessage(msg, index) {
    var row = el("div", "hw-row hw-" + msg.from);
    var bubble = el("div", "hw-bubble");
    if (msg.text) renderText(bubble, msg.text);
    if (msg.image && /^https?:\/\//.test(msg.image)) {
      var img = el("img", "hw-image");
      img.src = msg.image;
      img.alt = "图片";
      bubble.appendChild(img);
    }
    row.appendChild(bubble);
    if (msg.buttons && msg.buttons.length) {
      var quick = el("div", "hw-quick");
      var live = index === state.messages.length - 1 && !busy;
      msg.buttons.forEach(function (b) {
        var btn = el("button", "hw-quick-reply", b.title);
        btn.type = "button";
        btn.disabled = !live;
        // A click sends the button's payload as such, never as typed text: the server honours it
        // only if it offered that button to this conversation (bot/channels/input_gate.py).
        btn.addEventListener("click", function () { ask(b.payload || b.title, b.title, true); });
        quick.appendChild(btn);
      });
      row.appendChild(quick);
    }
    return row;
  }

  var busy = false;
  function render() {
    log.textContent = "";
    var welcome = el("div", "hw-row hw-bot hw-welcome");
    var wb = el("div", "hw-bubble");
    renderText(wb, WELCOME);
    welcome.appendChild(wb);
    log.appendChild(welcome);
    state.messages.forEach(function (msg, i) { log.appendChild(renderMessage(msg, i)); });
    if (busy) {
      var typing = el("div", "hw-row hw-bot hw-typing");
      typing.appendChild(el("div", "hw-bubble", "正在输入…"));
      log.appendChild(typing);
    }
    root.classList.toggle("hw-open", !!state.open);
    send.disabled = busy;
    log.scrollTop = log.scrollHeight;
  }

  // ---------------------------------------------------------------- talking to Rasa
  function ask(message, shown, isButton) {
    message = (message || "").trim();
    if (!message || busy) return;
    state.messages.push({ from: "user", text: shown || message });
    busy = true;
    save();
    render();
    var conversation = state; // 重新开始 replaces the state object
    var headers = { "Content-Type": "application/json" };
    if (conversation.session) headers[SESSION_HEADER] = conversation.session;
    fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(isButton ? { payload: message } : { message: message })
    })
      .then(function (r) {
        var session = r.headers.get(SESSION_HEADER);
        if (session && conversation === state) conversation.session = session;
        return r.json().catch(function () { return null; }).then(function (body) {
          if (!r.ok || !Array.isArray(body)) {
            var text = body && body.error && body.error.message;
            throw new Error(text || "助手暂时无法回答，请稍后再试，或拨打 12333 咨询。");
          }
          return body;
        });
      })
      .then(function (replies) {
        if (conversation !== state) return; // restarted meanwhile
        if (!replies.length) replies = [{ text: "抱歉，我暂时没有答案。您可以换个说法，或拨打 12333 咨询。" }];
        replies.forEach(function (m) {
          var buttons = Array.isArray(m.buttons)
            ? m.buttons.filter(function (b) { return b && b.title; }).map(function (b) { return { title: String(b.title), payload: String(b.payload || b.title) }; })
            : [];
          if (m.text || buttons.length || m.image) {
            state.messages.push({ from: "bot", text: m.text ? String(m.text) : "", buttons: buttons, image: m.image || null });
          }
        });
      })
      .catch(function (err) {
        if (conversation !== state) return;
        var text = err && err.message && /[\u4e00-\u9fff]/.test(err.message) ? err.message : "网络连接失败，请检查网络后重试，或拨打 12333 咨询。";
        state.messages.push({ from: "bot", text: text, error: true });
      })
      .then(function () {
        if (conversation !== state) return;
        busy = false;
        save();
        render();
        input.focus();
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { // Enter sends; IME composition does not
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  launcher.addEventListener("click", function () { setOpen(true); });
  close.addEventListener("click", function () { setOpen(false); });
  restart.addEventListener("click", reset);

  function setOpen(open) {
    state.open = open;
    save();
    render();
    if (open) input.focus();
  }
  function reset() {
    state = { session: null, messages: [], open: true };
    busy = false;
    save();
    render();
    input.focus();
  }

  // ---------------------------------------------------------------- reminders for this conversation
  // Due reminders wait on the server until the page asks (bot/web/notices.py); each comes once.
  var noticesUrl = script.getAttribute("data-notices-url") || new URL("/api/notices", scriptUrl).href;
  function fetchNotices() {
    if (!state.session) return;
    var conversation = state;
    var headers = {};
    headers[SESSION_HEADER] = conversation.session;
    fetch(noticesUrl, { headers: headers })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (notices) {
        if (conversation !== state || !Array.isArray(notices) || !notices.length) return;
        notices.forEach(function (n) {
          if (n && n.text) state.messages.push({ from: "bot", text: String(n.text), buttons: [], image: null });
        });
        save();
        render();
      })
      .catch(function () { /* shown the next time the page opens */ });
  }

  function mount() {
    document.body.appendChild(root);
    if (script.getAttribute("data-open") === "true") state.open = true;
    render();
    fetchNotices();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.HainaWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    reset: reset,
    send: function (text) { ask(text); }
  };
})();
