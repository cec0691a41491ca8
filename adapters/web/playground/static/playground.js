// Tandem playground front-end: vanilla JS, no build step, no network beyond this server.
// Every piece of HTML it inserts was rendered (and escaped) by the server; user text is set with textContent.
(function () {
  "use strict";
  const body = document.body;
  const person = body.dataset.person;
  if (!person) return;
  const thread = document.getElementById("thread");
  const form = document.getElementById("composer");
  const input = document.getElementById("command");
  const sendButton = document.getElementById("send");
  const picker = document.getElementById("import-file");
  const panels = { inbox: document.getElementById("inbox"), channels: document.getElementById("channels") };
  const store = window.sessionStorage;
  const threadKey = "tandem.thread." + person;
  const seenKey = "tandem.seen." + person;
  let busy = false;
  let recall = [];
  let recallAt = -1;

  function load(key, fallback) {
    try { return JSON.parse(store.getItem(key)) ?? fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled: fine */ }
  }

  // ---- the conversation with Tandem ---------------------------------------------------------------------
  function turn(text, html, ok, visibility) {
    const welcome = document.getElementById("welcome");
    if (welcome) welcome.remove();
    const you = document.createElement("div");
    you.className = "turn turn-you";
    const bubble = document.createElement("div");
    bubble.className = "bubble-you";
    bubble.textContent = text;
    you.appendChild(bubble);
    const bot = document.createElement("div");
    bot.className = "turn turn-bot";
    bot.innerHTML = '<span class="bot-avatar" aria-hidden="true"><svg viewBox="0 0 24 24"><circle cx="9" cy="12" r="6"/>' +
      '<circle cx="15" cy="12" r="6"/></svg></span><div class="card"></div>';
    const card = bot.querySelector(".card");
    thread.appendChild(you);
    thread.appendChild(bot);
    fill(bot, card, html, ok, visibility);
    thread.scrollTop = thread.scrollHeight;
    return { bot, card };
  }

  function fill(bot, card, html, ok, visibility) {
    if (html === null) {
      bot.classList.add("is-pending");
      card.innerHTML = '<span class="spinner" aria-hidden="true"></span>';
      return;
    }
    bot.classList.remove("is-pending");
    card.classList.toggle("is-refused", ok === false);
    card.innerHTML = html;
    const meta = document.createElement("div");
    meta.className = "turn-meta";
    meta.textContent = visibility === "in_channel" ? "Posted to the channel" : "Only visible to you";
    card.appendChild(meta);
  }

  function restore() {
    for (const t of load(threadKey, [])) turn(t.text, t.html, t.ok, t.visibility);
  }

  async function send(text, sourceMessage, origin) {
    text = text.trim();
    if (!text || busy) return;
    recall.push(text);
    recallAt = -1;
    await exchange(text, origin, () => fetch("/playground/command", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ person, text, source_message: sourceMessage ?? null }),
    }));
  }

  // A spreadsheet of leads, imported as the person played (marketers and up see the picker): the same import
  // as `tandem import leads`, answered in the chat with its summary.
  async function upload(file) {
    if (busy) return;
    const form = new FormData();
    form.append("file", file);
    await exchange("📎 Import " + file.name, null, () => fetch("/playground/import?person=" + encodeURIComponent(person), {
      method: "POST",
      headers: { Accept: "application/json" },
      body: form,
    }));
  }

  async function exchange(text, origin, request) {
    busy = true;
    sendButton.disabled = true;
    if (picker) picker.disabled = true;
    if (origin) origin.querySelectorAll("button[data-command]").forEach((b) => (b.disabled = true));
    const { bot, card } = turn(text, null);
    try {
      const response = await request();
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        const message = data.error || "The playground could not run that. Try again.";
        fill(bot, card, "", false, "ephemeral");
        card.insertAdjacentText("afterbegin", message);
        return;
      }
      if (data.form_html) {  // a command typed with nothing after it: its form asks for the rest
        showForm(bot, card, data.form_html);
        return;
      }
      fill(bot, card, data.reply_html, data.ok, data.visibility);
      if (body.dataset.view !== "chat") document.querySelector('.view-tab[data-view="chat"]')?.classList.add("has-news");
      const history = load(threadKey, []);
      history.push({ text, html: data.reply_html, ok: data.ok, visibility: data.visibility });
      save(threadKey, history.slice(-30));
      apply(data);
    } catch (error) {
      fill(bot, card, "", false, "ephemeral");
      card.insertAdjacentText("afterbegin", "Could not reach the Tandem server. Is it still running?");
    } finally {
      if (origin) origin.querySelectorAll("button[data-command]").forEach((b) => (b.disabled = false));
      busy = false;
      sendButton.disabled = false;
      if (picker) picker.disabled = false;
      thread.scrollTop = thread.scrollHeight;
    }
  }

  // ---- forms: the server composes the answers into the command a person would type --------------------------
  // The form's top (its title, or the refusal above it) is brought into view, and the field to fix gets the focus.
  function showForm(bot, card, html) {
    fill(bot, card, html, true, "ephemeral");
    const wrong = card.querySelector(".has-error input, .has-error textarea");
    const first = wrong || card.querySelector(".tandem-form input, .tandem-form textarea");
    if (first) first.focus({ preventScroll: true });
    (card.querySelector(".tf-problem") || card).scrollIntoView({ block: "start" });
  }

  function answersOf(formElement) {
    const values = {};
    formElement.querySelectorAll("input[name], textarea[name]").forEach((field) => {
      values[field.name] = field.type === "checkbox" ? (field.checked ? "yes" : "") : field.value;
    });
    return values;
  }

  async function submitForm(formElement) {
    if (busy) return;
    const card = formElement.closest(".card");
    const bot = formElement.closest(".turn-bot");
    const button = formElement.querySelector('button[type="submit"]');
    busy = true;
    button.disabled = true;
    try {
      const response = await fetch("/playground/form", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ person, form: formElement.dataset.form, values: answersOf(formElement) }),
      });
      const data = await response.json().catch(() => ({}));
      if (data.inbox_html !== undefined) apply(data);
      if (data.form_html) {  // refused: the form again, the reason above it and every answer kept
        busy = false;
        showForm(bot, card, data.form_html);
        return;
      }
      if (!response.ok || !data.command) {
        button.disabled = false;
        formElement.insertAdjacentText("afterbegin", data.error || "The playground could not run that. Try again.");
        return;
      }
      card.innerHTML = "";
      const sent = document.createElement("div");
      sent.className = "tf-sent";
      sent.textContent = "✓ Sent as the command below";
      card.appendChild(sent);
      turn(data.command, data.reply_html, data.ok, data.visibility);
      const history = load(threadKey, []);
      history.push({ text: data.command, html: data.reply_html, ok: data.ok, visibility: data.visibility });
      save(threadKey, history.slice(-30));
      recall.push(data.command);
      thread.scrollTop = thread.scrollHeight;
    } catch (error) {
      button.disabled = false;
      formElement.insertAdjacentText("afterbegin", "Could not reach the Tandem server. Is it still running?");
    } finally {
      busy = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target || !target.matches("form.tandem-form")) return;
    event.preventDefault();
    submitForm(target);
  });

  // ---- inbox and channels ---------------------------------------------------------------------------------
  let lastInbox = null;
  let lastChannels = null;

  function apply(data) {
    if (data.inbox_html !== lastInbox && !panels.inbox.querySelector(".prompt-form")) {
      panels.inbox.innerHTML = data.inbox_html;
      lastInbox = data.inbox_html;
      markNew();
    }
    if (data.channels_html !== lastChannels && !panels.channels.querySelector(".prompt-form")) {
      panels.channels.innerHTML = data.channels_html;
      lastChannels = data.channels_html;
      filterChannel(currentChannel);
    }
    if (Array.isArray(data.examples)) showExamples(data.examples);
    for (const id of ["inbox-count", "view-inbox-count"]) {
      const count = document.getElementById(id);
      if (!count) continue;
      count.textContent = String(data.inbox_waiting);
      count.classList.toggle("is-zero", !data.inbox_waiting);
    }
    for (const id of ["channel-count", "view-channel-count"]) {
      const count = document.getElementById(id);
      if (count) count.textContent = String(data.channel_count);
    }
  }

  function showExamples(examples) {
    const row = document.querySelector(".composer .chips");
    if (!row) return;
    const current = [...row.querySelectorAll("[data-example]")].map((chip) => chip.dataset.example);
    if (current.join("\n") === examples.join("\n")) return;
    row.replaceChildren(...examples.map((example) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip-cmd";
      chip.dataset.example = example;
      chip.textContent = example;
      chip.title = example;
      return chip;
    }));
  }

  function markNew() {
    const ids = [...panels.inbox.querySelectorAll(".msg[data-outbox-id]")].map((m) => Number(m.dataset.outboxId));
    const latest = Math.max(0, ...ids);
    const seen = load(seenKey, null);
    if (seen !== null) {
      panels.inbox.querySelectorAll(".msg[data-outbox-id]").forEach((m) => {
        if (Number(m.dataset.outboxId) > seen) m.classList.add("is-new");
      });
    }
    save(seenKey, Math.max(latest, seen ?? 0));
  }

  async function poll() {
    if (busy || document.visibilityState !== "visible") return;
    try {
      const response = await fetch("/playground/inbox?person=" + encodeURIComponent(person), { headers: { Accept: "application/json" } });
      if (response.ok) apply(await response.json());
    } catch (error) { /* the server may be restarting; the next poll retries */ }
  }

  let currentChannel = "";
  function filterChannel(name) {
    currentChannel = name;
    let shown = 0;
    panels.channels.querySelectorAll(".channel-post").forEach((post) => {
      post.hidden = Boolean(name) && post.dataset.channel !== name;
      if (!post.hidden) shown += 1;
    });
    // a channel with nothing in it says what it is for, rather than showing a blank panel
    panels.channels.querySelectorAll("[data-channel-empty]").forEach((empty) => {
      empty.hidden = shown > 0 || empty.dataset.channelEmpty !== name;
    });
    panels.channels.querySelectorAll(".pill[data-channel]").forEach((pill) => {
      pill.classList.toggle("is-active", pill.dataset.channel === name);
    });
  }

  // On a phone one view shows at a time (chat, inbox or channels); on wider screens all are side by side and
  // body[data-view] changes nothing but which panel tab is open.
  function showView(name) {
    body.dataset.view = name;
    document.querySelectorAll(".view-tab").forEach((tab) => {
      const active = tab.dataset.view === name;
      tab.classList.toggle("is-active", active);
      tab.setAttribute("aria-pressed", String(active));
      if (active) tab.classList.remove("has-news");
    });
  }

  function showTab(name) {
    document.querySelectorAll(".tab").forEach((tab) => {
      const active = tab.dataset.tab === name;
      tab.classList.toggle("is-active", active);
      tab.setAttribute("aria-selected", String(active));
    });
    for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
    showView(name);
  }

  // ---- buttons: a button is a command run as the person who clicks --------------------------------------
  function ask(button) {
    const row = button.closest(".r-buttons");
    row.parentElement.querySelectorAll(".prompt-form").forEach((f) => f.remove());
    const prompt = document.createElement("form");
    prompt.className = "prompt-form";
    const label = document.createElement("label");
    label.textContent = button.dataset.prompt;
    const field = document.createElement("input");
    field.type = "text";
    field.maxLength = 2000;
    field.name = "prompt";
    label.appendChild(document.createElement("br"));
    label.appendChild(field);
    const actions = document.createElement("div");
    actions.className = "prompt-actions";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn";
    cancel.textContent = "Cancel";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.className = "btn " + (button.classList.contains("btn-danger") ? "btn-danger" : "btn-primary");
    ok.textContent = button.textContent;
    actions.append(cancel, ok);
    prompt.append(label, actions);
    row.insertAdjacentElement("afterend", prompt);
    field.focus();
    cancel.addEventListener("click", () => prompt.remove());
    prompt.addEventListener("submit", (event) => {
      event.preventDefault();
      const extra = field.value.trim();
      const command = button.dataset.command + (extra ? " " + extra : "");
      prompt.remove();
      run(button, command);
    });
  }

  function run(button, command) {
    const message = button.closest("[data-outbox-id]");
    const source = message ? Number(message.dataset.outboxId) : null;
    send(command, source, button.closest(".r-buttons"));
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const commandButton = target.closest("button[data-command]");
    if (commandButton) {
      if (commandButton.dataset.prompt) ask(commandButton);
      else run(commandButton, commandButton.dataset.command);
      return;
    }
    const more = target.closest("[data-details]");
    if (more) {
      const message = more.closest(".msg");
      const open = message.classList.toggle("is-open");
      more.textContent = open ? "Hide details" : "Show details";
      return;
    }
    const example = target.closest("[data-example]");
    if (example) {
      showView("chat");
      input.value = example.dataset.example;
      input.focus();
      return;
    }
    const tab = target.closest(".tab[data-tab]");
    if (tab) { showTab(tab.dataset.tab); return; }
    const view = target.closest(".view-tab[data-view]");
    if (view) {
      if (view.dataset.view === "chat") showView("chat");
      else showTab(view.dataset.view);
      return;
    }
    const channel = target.closest(".channel-link[data-channel], .pill[data-channel]");
    if (channel) { showTab("channels"); filterChannel(channel.dataset.channel); }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text, null, null);
  });

  if (picker) {
    picker.addEventListener("change", () => {
      const file = picker.files && picker.files[0];
      picker.value = "";
      if (file) upload(file);
    });
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowUp" && recall.length) {
      recallAt = recallAt < 0 ? recall.length - 1 : Math.max(0, recallAt - 1);
      input.value = recall[recallAt];
      event.preventDefault();
    } else if (event.key === "ArrowDown" && recallAt >= 0) {
      recallAt = Math.min(recall.length, recallAt + 1);
      input.value = recall[recallAt] ?? "";
      event.preventDefault();
    }
  });

  // on a phone the people are a strip that scrolls sideways: bring the one being played into view
  document.querySelector(".person.is-active")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  recall = load(threadKey, []).map((t) => t.text);
  restore();
  lastInbox = null;
  markNew();
  window.setInterval(poll, 2500);
  input.focus();
})();
