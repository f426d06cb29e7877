// Minqing offline demo: three phones on the Bot API emulator.
// Plain JavaScript, no build step, no network beyond this page's own server.
"use strict";

const ROLES = ["household", "cadre", "leader"];
const ROLE_ZH = { household: "住户", cadre: "干部", leader: "领导" };
const STORE = "minqing-demo-phones";

const app = {
  people: [],
  byId: new Map(),
  version: -1,
  phones: [], // {el, user, replyTo, lastKey, lastId, chat}
};

// ---- helpers ---------------------------------------------------------------

function $(root, sel) { return root.querySelector(sel); }

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    throw new Error((data && data.error) || res.status + " " + res.statusText);
  }
  return data;
}

let toastTimer = 0;
function toast(text, alert) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.classList.toggle("alert", !!alert);
  t.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove("show"), alert ? 6000 : 3500);
}

function fail(err) { toast("⚠ " + (err && err.message ? err.message : err), true); }

function saveChoice() {
  try { localStorage.setItem(STORE, JSON.stringify(app.phones.map((p) => p.user))); } catch (e) { /* private mode */ }
}

function loadChoice() {
  try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
}

// ---- state -----------------------------------------------------------------

function applyState(st) {
  app.people = st.people || [];
  app.byId = new Map(app.people.map((p) => [p.id, p]));
  document.getElementById("clock").textContent = st.nowText;
  for (const ph of app.phones) {
    $(ph.el, ".status-time").textContent = st.clock;
    $(ph.el, ".bot-name").textContent = st.bot || "民情联系卡";
    $(ph.el, ".avatar").textContent = (st.bot || "民").slice(0, 1);
  }
}

function fillSelect(ph) {
  const sel = $(ph.el, ".who");
  sel.textContent = "";
  for (const role of ROLES) {
    const group = el("optgroup");
    group.label = ROLE_ZH[role] + " " + role;
    for (const p of app.people.filter((x) => x.role === role)) {
      const o = el("option", null, p.name + (p.label ? " · " + p.label : ""));
      o.value = String(p.id);
      group.appendChild(o);
    }
    if (group.children.length) sel.appendChild(group);
  }
  const others = app.people.filter((x) => !ROLES.includes(x.role));
  for (const p of others) {
    const o = el("option", null, p.name);
    o.value = String(p.id);
    sel.appendChild(o);
  }
  sel.value = String(ph.user);
}

function pickDefault(i, st, saved) {
  const ok = (id) => app.byId.has(id);
  if (saved && ok(saved[i])) return saved[i];
  if (ok(st.defaults[i])) return st.defaults[i];
  const first = app.people.find((p) => p.role === ROLES[i]) || app.people[0];
  return first ? first.id : 0;
}

// ---- chat rendering --------------------------------------------------------

function renderChat(ph, chat) {
  const key = JSON.stringify(chat.messages) + "|" + JSON.stringify(chat.keyboard || null) + "|" + chat.started;
  const status = $(ph.el, ".who-label");
  status.textContent = chat.started ? "● 已在对话 chatting · id " + ph.user : "○ 还没绑定 not bound yet · id " + ph.user;
  status.classList.toggle("on", chat.started);
  $(ph.el, ".bind").hidden = chat.started;
  $(ph.el, ".empty").hidden = chat.messages.length > 0;
  if (ph.replyTo && !chat.messages.some((m) => m.id === ph.replyTo)) setReply(ph, null);
  if (key === ph.lastKey) return;
  ph.lastKey = key;
  ph.chat = chat;

  const box = $(ph.el, ".messages");
  box.textContent = "";
  let day = "";
  for (const m of chat.messages) {
    if (m.day !== day) {
      day = m.day;
      const sep = el("div", "day");
      sep.appendChild(el("span", null, day));
      box.appendChild(sep);
    }
    box.appendChild(renderMessage(ph, m));
  }
  renderKeyboard(ph, chat.keyboard);
  markReply(ph);

  const last = chat.messages.length ? chat.messages[chat.messages.length - 1].id : 0;
  if (last !== ph.lastId) {
    ph.lastId = last;
    const scroller = $(ph.el, ".chat");
    scroller.scrollTop = scroller.scrollHeight;
  }
}

function renderMessage(ph, m) {
  const row = el("div", "row " + (m.bot ? "in" : "out"));
  const msg = el("div", "msg " + (m.bot ? "bot" : "user"));
  msg.dataset.id = String(m.id);
  if (m.image) msg.classList.add("has-image");
  row.appendChild(msg);

  if (m.copyOf || m.forwardOf) {
    const who = m.origin || "";
    const head = el("div", "origin", (m.forwardOf ? "转发自 " : "↪ 转自 ") + (who || "另一会话") + (m.copyOf ? " · copy" : " · forwarded"));
    msg.appendChild(head);
  }
  if (m.replyTo) {
    const q = el("div", "quote");
    q.appendChild(el("div", "quote-name", m.replyName || "消息"));
    q.appendChild(el("div", "quote-text", m.replyText || "（消息已删除 deleted）"));
    msg.appendChild(q);
  }
  if (m.media) {
    if (m.image && m.file) {
      const img = el("img", "photo-img");
      img.src = m.file;
      img.alt = m.mediaLabel || "photo";
      img.addEventListener("load", () => {
        if (ph.lastId === m.id) { const s = $(ph.el, ".chat"); s.scrollTop = s.scrollHeight; }
      });
      msg.appendChild(img);
    } else {
      const media = el("div", "media media-" + m.media, m.mediaLabel);
      if (m.file && m.media === "document") {
        const a = el("a", "download", "下载 download");
        a.href = m.file;
        a.download = "";
        media.appendChild(document.createTextNode(" "));
        media.appendChild(a);
      }
      msg.appendChild(media);
    }
  }
  const body = el("div", "text");
  body.innerHTML = m.media ? (m.caption || "") : m.html; // rendered safe by the server
  if (body.innerHTML) msg.appendChild(body);

  const meta = el("span", "meta");
  if (m.silent) meta.appendChild(el("span", "silent", "🔕"));
  if (m.edited) meta.appendChild(el("span", "edited", "已编辑"));
  meta.appendChild(el("span", "time", m.time));
  if (!m.bot) meta.appendChild(el("span", "ticks", "✓✓"));
  msg.appendChild(meta);

  if (m.bot) {
    msg.title = "点一下回复这条消息 click to reply to this message";
    msg.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) return;
      setReply(ph, ph.replyTo === m.id ? null : m);
    });
  }
  if (m.buttons && m.buttons.length) {
    const kb = el("div", "kb");
    for (const line of m.buttons) {
      const r = el("div", "kb-row");
      for (const b of line) {
        const btn = el("button", b.url ? "url" : null, b.text);
        btn.type = "button";
        btn.addEventListener("click", (ev) => { ev.stopPropagation(); press(ph, m.id, b, btn); });
        r.appendChild(btn);
      }
      kb.appendChild(r);
    }
    row.appendChild(kb);
  }
  return row;
}

function renderKeyboard(ph, rows) {
  const box = $(ph.el, ".kbd");
  box.textContent = "";
  box.hidden = !rows || !rows.length;
  for (const line of rows || []) {
    const r = el("div", "kbd-row");
    for (const text of line) {
      const b = el("button", null, text);
      b.type = "button";
      b.addEventListener("click", () => send(ph, text));
      r.appendChild(b);
    }
    box.appendChild(r);
  }
}

// ---- reply mode ------------------------------------------------------------

function setReply(ph, m) {
  ph.replyTo = m ? m.id : 0;
  const bar = $(ph.el, ".reply-bar");
  bar.hidden = !m;
  if (m) {
    $(bar, ".reply-name").textContent = "回复 " + ($(ph.el, ".bot-name").textContent || "bot");
    const text = m.media ? (m.mediaLabel || "") : (new DOMParser().parseFromString(m.html, "text/html").body.textContent || "");
    $(bar, ".reply-text").textContent = text.length > 80 ? text.slice(0, 80) + "…" : text;
    $(ph.el, ".input").focus();
  }
  markReply(ph);
}

function markReply(ph) {
  for (const m of ph.el.querySelectorAll(".msg")) {
    m.classList.toggle("selected", ph.replyTo !== 0 && m.dataset.id === String(ph.replyTo));
  }
}

// ---- actions ---------------------------------------------------------------

async function refreshPhone(ph) {
  if (!ph.user) return;
  const user = ph.user;
  const chat = await api("/api/chat?user=" + encodeURIComponent(user));
  if (ph.user === user) renderChat(ph, chat);
}

async function refreshAll() {
  const st = await api("/api/state");
  applyState(st);
  await Promise.all(app.phones.map(refreshPhone));
}

async function send(ph, text) {
  text = (text || "").trim();
  if (!text) return;
  try {
    await api("/api/send", { user: ph.user, text, replyTo: ph.replyTo || 0 });
    setReply(ph, null);
    await refreshPhone(ph);
  } catch (e) { fail(e); }
}

async function sendInput(ph) {
  const input = $(ph.el, ".input");
  const text = input.value;
  if (!text.trim()) return;
  input.value = "";
  await send(ph, text);
}

async function sendMedia(ph, kind) {
  const input = $(ph.el, ".input");
  const caption = kind === "location" ? "" : input.value.trim();
  try {
    await api("/api/media", { user: ph.user, kind, caption, replyTo: ph.replyTo || 0 });
    if (caption) input.value = "";
    setReply(ph, null);
    await refreshPhone(ph);
  } catch (e) { fail(e); }
}

async function press(ph, messageId, b, btn) {
  if (b.url) { toast("🔗 " + b.url + "（离线演示不打开链接 links stay closed offline）"); return; }
  btn.classList.add("busy");
  try {
    const r = await api("/api/press", { user: ph.user, messageId, data: b.data });
    if (r.text) toast(r.text, r.alert);
    await refreshPhone(ph);
  } catch (e) { fail(e); } finally { btn.classList.remove("busy"); }
}

async function bind(ph) {
  try {
    await api("/api/start", { user: ph.user });
    await refreshPhone(ph);
  } catch (e) { fail(e); }
}

async function forward(btn) {
  const hours = Number(btn.dataset.hours);
  const all = document.querySelectorAll(".forward button");
  all.forEach((b) => { b.disabled = true; });
  try {
    const r = await api("/api/forward", { hours });
    document.getElementById("clock").textContent = r.nowText;
    toast("⏩ " + btn.textContent + " → " + r.nowText);
    await refreshAll();
  } catch (e) { fail(e); } finally { all.forEach((b) => { b.disabled = false; }); }
}

// ---- wiring ----------------------------------------------------------------

function buildPhone(i, col) {
  col.id = "phone-" + i;
  col.appendChild(document.getElementById("phone-template").content.cloneNode(true));
  const ph = { el: col, user: 0, replyTo: 0, lastKey: "", lastId: -1, chat: null };
  $(col, ".who").addEventListener("change", (ev) => {
    ph.user = Number(ev.target.value);
    ph.lastKey = "";
    ph.lastId = -1;
    setReply(ph, null);
    saveChoice();
    refreshPhone(ph).catch(fail);
  });
  $(col, ".send").addEventListener("click", () => sendInput(ph));
  $(col, ".input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.isComposing) { ev.preventDefault(); sendInput(ph); }
    if (ev.key === "Escape") setReply(ph, null);
  });
  $(col, ".photo").addEventListener("click", () => sendMedia(ph, "photo"));
  $(col, ".voice").addEventListener("click", () => sendMedia(ph, "voice"));
  $(col, ".location").addEventListener("click", () => sendMedia(ph, "location"));
  $(col, ".reply-cancel").addEventListener("click", () => setReply(ph, null));
  $(col, ".bind").addEventListener("click", () => bind(ph));
  return ph;
}

async function watch() {
  for (;;) {
    try {
      const r = await api("/api/wait?since=" + app.version);
      if (r.version !== app.version) {
        app.version = r.version;
        await refreshAll();
      }
    } catch (e) {
      await new Promise((ok) => setTimeout(ok, 2000)); // the server went away: retry gently
    }
  }
}

async function main() {
  const cols = document.querySelectorAll("#phones .col");
  app.phones = Array.from(cols, (col, i) => buildPhone(i, col));
  document.querySelectorAll(".forward button").forEach((b) => b.addEventListener("click", () => forward(b)));
  const st = await api("/api/state");
  applyState(st);
  const saved = loadChoice();
  app.phones.forEach((ph, i) => { ph.user = pickDefault(i, st, saved); fillSelect(ph); });
  app.version = st.version;
  await Promise.all(app.phones.map(refreshPhone));
  document.body.classList.add("ready");
  watch();
}

main().catch(fail);
