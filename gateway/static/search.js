/*! Gongkai 政务公开检索挂件 <gongkai-search> — no dependencies.
 *
 *   <script src="https://<gateway>/widget/search.js"></script>
 *   <gongkai-search agency="12" placeholder="搜索本县政府信息"></gongkai-search>
 *
 * Attributes: agency (agency id, its subordinate agencies included), placeholder, api (gateway
 * base URL; default: where this script came from), api-key (sent as X-Api-Key), page-size.
 * The page's origin must be registered at the gateway (POST /api/v1/admin/sites).
 *
 * Searches as you type (a newer request aborts the older), completes as an ARIA combobox, shows
 * did-you-mean and each hit's missing words, reports opened results (POST …/search/clicks).
 * One Tab from the box reaches the first result. Fields an older server lacks are not shown.
 *
 * Server strings are never parsed as HTML: title_html and snippet_html are escaped text whose
 * only tags are <mark>…</mark>; they are rebuilt here from text nodes and <mark> elements.
 */
(() => {
  "use strict";
  const TAG = "gongkai-search";
  if (typeof window === "undefined" || !window.customElements || customElements.get(TAG)) return;

  const SCRIPT_API = (() => {
    const script = document.currentScript;
    try {
      const url = new URL(script && script.src ? script.src : location.href, location.href);
      const match = url.pathname.match(/^(.*)\/widget\/search\.js$/);
      return url.origin + (match ? match[1] : "");
    } catch (e) {
      return location.origin;
    }
  })();

  const FACETS = [
    ["category", "主题分类"],
    ["doc_type", "文件体裁"],
    ["year", "发布年份"],
    ["agency_id", "发布机关"],
  ];
  const MAX_FACET_VALUES = 12;
  const VALIDITY = { expired: "已失效", repealed: "已废止" };
  const UNAVAILABLE = "检索服务暂不可用，请稍后重试";
  const SEARCH_DELAY = 250;
  const SUGGEST_DELAY = 120;
  const SUGGEST_LIMIT = 8;
  const KINDS = { title: "标题", doc_number: "文号" };

  const STYLE = `
:host{display:block;max-width:100%;box-sizing:border-box;color:#1f2328;background:transparent;
  font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
  --gk-accent:#b3261e;--gk-link:#0b57d0;--gk-muted:#57606a;--gk-line:#d8dee4}
:host([hidden]){display:none}
*,*::before,*::after{box-sizing:border-box}
.gk{max-width:100%;overflow-wrap:anywhere;word-break:break-word}
form{position:relative;display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .5rem}
input{flex:1 1 12rem;min-width:0;max-width:100%;min-height:2.75rem;padding:.45rem .75rem;font:inherit;
  color:inherit;background:#fff;border:1px solid #8c959f;border-radius:4px}
button{min-height:2.75rem;padding:.35rem .9rem;font:inherit;color:var(--gk-accent);background:#fff;
  border:1px solid var(--gk-accent);border-radius:4px;cursor:pointer}
button[type=submit]{color:#fff;background:var(--gk-accent)}
button:disabled{opacity:.45;cursor:default}
:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.status{margin:.25rem 0 .75rem;color:var(--gk-muted);font-size:.9em}
.status.error{color:#b3261e}
.results{display:flex;flex-direction:column}
.facets{order:-1;display:flex;flex-direction:column;gap:.4rem;margin:0 0 .5rem}
.suggest{position:absolute;z-index:10;top:100%;left:0;right:0;margin:2px 0 0;padding:.25rem 0;list-style:none;
  background:#fff;border:1px solid #8c959f;border-radius:4px;box-shadow:0 4px 12px rgba(0,0,0,.15);
  max-height:60vh;overflow-y:auto}
.suggest li{display:flex;gap:.5rem;align-items:center;min-height:2.5rem;padding:.25rem .75rem;cursor:pointer}
.suggest li[aria-selected=true]{background:#e8f0fe}
.kind{flex:none;color:var(--gk-muted);font-size:.8em}
.dym{margin:0 0 .5rem}
.dym button{min-height:2.25rem;margin:0 .35rem .35rem 0;padding:.1rem .6rem}
.note,.missing{color:var(--gk-muted);font-size:.85em}
.note{margin:0 0 .25rem}
.missing{margin:.1rem 0 0}
.missing s{color:inherit}
.group{display:flex;flex-wrap:wrap;align-items:center;gap:.35rem;min-width:0}
.group-label{margin-right:.25rem;font-size:.9em;font-weight:600}
.facet{min-height:2.25rem;padding:.15rem .65rem;font-size:.9em;color:inherit;border-color:#c9d1d9;border-radius:999px}
.facet[aria-pressed=true]{color:#fff;background:var(--gk-accent);border-color:var(--gk-accent)}
.count{margin-left:.25em;opacity:.8}
ol{margin:0;padding:0;list-style:none}
.hit{padding:.7rem 0;border-top:1px solid var(--gk-line)}
.title{font-size:1.05em;font-weight:600;color:var(--gk-link);text-decoration:none}
.title:hover,.title:focus-visible{text-decoration:underline}
mark{padding:0 .05em;color:inherit;background:#ffe58a}
.snippet{margin:.2rem 0}
.meta{display:flex;flex-wrap:wrap;gap:.1rem .9rem;margin:0;color:var(--gk-muted);font-size:.85em}
.badge{color:#b3261e}
.empty{padding:.75rem 0;color:var(--gk-muted)}
.pager{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:.5rem 1rem;margin:.75rem 0}
.detail h3{margin:.5rem 0;font-size:1.15em;line-height:1.4}
.detail dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .75rem;margin:0 0 .75rem;font-size:.9em}
.detail dt{color:var(--gk-muted)}
.detail dd{margin:0;min-width:0}
.text{white-space:pre-wrap}
.files{padding-left:1.2rem}
.files a{color:var(--gk-link)}
[hidden]{display:none!important}
@media (max-width:480px){:host{font-size:14px}}
`;

  const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

  /** Decodes character references in text that contains no tags (no DOM parsing involved). */
  function unescapeText(text) {
    return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, (whole, ref) => {
      if (ref[0] !== "#") return Object.prototype.hasOwnProperty.call(ENTITIES, ref) ? ENTITIES[ref] : whole;
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ok = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return ok ? String.fromCodePoint(code) : "\ufffd";
    });
  }

  /** Appends escaped-HTML-with-only-<mark> as text nodes and <mark> elements; anything else is shown as text. */
  function appendMarked(parent, html) {
    const source = html == null ? "" : String(html);
    const parts = source.split(/(<mark>|<\/mark>)/);
    if (parts.some((part, i) => i % 2 === 0 && /[<>]/.test(part))) {
      parent.append(document.createTextNode(unescapeText(source.replace(/<\/?mark>/g, ""))));
      return;
    }
    let mark = null;
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        mark = part === "<mark>" ? parent.appendChild(document.createElement("mark")) : null;
      } else if (part) {
        (mark || parent).append(document.createTextNode(unescapeText(part)));
      }
    });
  }

  /** The non-empty strings of a list the server may not send (older servers). */
  function words(list) {
    return Array.isArray(list) ? list.filter((w) => typeof w === "string" && w.trim()).map((w) => w.trim()) : [];
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  const DATE = (() => {
    try {
      return new Intl.DateTimeFormat("zh-CN", {
        timeZone: "Asia/Shanghai",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      });
    } catch (e) {
      return null;
    }
  })();

  function formatDate(value) {
    if (!value) return "";
    const date = new Date(value);
    if (isNaN(date.getTime())) return String(value);
    return DATE ? DATE.format(date).replace(/\//g, "-") : date.toISOString().slice(0, 10);
  }

  function safeUrl(value, base) {
    try {
      const url = new URL(String(value), base + "/");
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  class GongkaiSearch extends HTMLElement {
    static get observedAttributes() {
      return ["placeholder"];
    }

    constructor() {
      super();
      this.state = { q: "", page: 1, category: new Set(), doc_type: new Set(), year: null, agency: null };
      this.controller = null;
      this.suggesting = null;
      this.timers = {};
      this.options = [];
      this.active = -1;
      this.shown = null;
      this.lastLink = null;
      const root = this.attachShadow({ mode: "open" });
      const uid = Math.random().toString(36).slice(2, 8);
      this.ids = { status: `gk-status-${uid}`, list: `gk-suggest-${uid}` };

      this.input = el("input", {
        type: "search",
        name: "q",
        role: "combobox",
        "aria-label": "检索政府信息公开文件",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": this.ids.list,
        autocomplete: "off",
        enterkeyhint: "search",
        maxlength: 200,
        oninput: (event) => !event.isComposing && this.onInput(),
        oncompositionend: () => this.onInput(),
        onkeydown: (event) => this.onKey(event),
        onblur: () => this.closeSuggest(),
      });
      this.list = el("ul", {
        class: "suggest",
        id: this.ids.list,
        role: "listbox",
        "aria-label": "检索建议",
        hidden: true,
        onmousedown: (event) => event.preventDefault(), // a pointer on the list keeps focus in the box
      });
      // Keyboard users submit with Enter (or just type): the button is no tab stop between box and results.
      this.form = el(
        "form",
        { role: "search", class: "form", onsubmit: (event) => this.onSubmit(event) },
        this.input,
        el("button", { type: "submit", tabindex: "-1", text: "搜索" }),
        this.list,
      );
      this.status = el("p", { class: "status", id: this.ids.status, role: "status", "aria-live": "polite" });
      this.dym = el("p", { class: "dym", hidden: true });
      this.note = el("p", { class: "note", hidden: true, text: "部分结果未包含全部检索词" });
      this.facets = el("div", { class: "facets", hidden: true, "aria-label": "筛选", role: "group" });
      this.hits = el("ol", { class: "hits", "aria-label": "检索结果" });
      this.prev = el("button", { type: "button", class: "prev", text: "上一页", onclick: () => this.goTo(-1) });
      this.next = el("button", { type: "button", class: "next", text: "下一页", onclick: () => this.goTo(1) });
      this.pageLabel = el("span", { class: "page" });
      this.pager = el("nav", { class: "pager", "aria-label": "分页", hidden: true }, this.prev, this.pageLabel, this.next);
      // The facets come after the results in the tab order (shown above them, .facets{order:-1}).
      this.results = el("div", { class: "results" }, this.dym, this.note, this.hits, this.pager, this.facets);
      this.detail = el("section", { class: "detail", hidden: true, "aria-label": "文件详情" });
      root.append(
        el("style", { text: STYLE }),
        el("div", { class: "gk", lang: "zh-CN" }, this.form, this.status, this.results, this.detail),
      );
      this.applyPlaceholder();
    }

    attributeChangedCallback() {
      this.applyPlaceholder();
    }

    disconnectedCallback() {
      this.cancel();
    }

    /** Stops pending timers and requests (searches, completions, a document being loaded). */
    cancel() {
      clearTimeout(this.timers.search);
      clearTimeout(this.timers.suggest);
      if (this.controller) this.controller.abort();
      if (this.suggesting) this.suggesting.abort();
      this.controller = this.suggesting = null;
    }

    applyPlaceholder() {
      if (this.input) this.input.placeholder = this.getAttribute("placeholder") || "输入关键词，检索政府信息公开文件";
    }

    get api() {
      const given = (this.getAttribute("api") || "").trim();
      return (given || SCRIPT_API).replace(/\/+$/, "");
    }

    get pageSize() {
      const size = parseInt(this.getAttribute("page-size") || "", 10);
      return size >= 1 && size <= 50 ? size : 10;
    }

    headers() {
      const headers = { Accept: "application/json" };
      const key = (this.getAttribute("api-key") || "").trim();
      if (key) headers["X-Api-Key"] = key;
      return headers;
    }

    onSubmit(event) {
      event.preventDefault();
      this.searchFor(this.input.value);
    }

    /** A new query: filters and page start over. Typing keeps the completions open; Enter closes them. */
    searchFor(text, typing) {
      clearTimeout(this.timers.search);
      if (!typing) this.closeSuggest();
      const q = text.trim();
      if (!q) {
        this.cancel();
        return this.clear();
      }
      const s = this.state;
      s.q = q;
      s.page = 1;
      s.category.clear();
      s.doc_type.clear();
      s.year = null;
      s.agency = null;
      this.typing = Boolean(typing);
      this.search();
    }

    /** Typing: completions soon, the search after a pause; an empty box shows nothing. */
    onInput() {
      const q = this.input.value.trim();
      clearTimeout(this.timers.search);
      clearTimeout(this.timers.suggest);
      if (!q) {
        this.cancel();
        this.closeSuggest();
        return this.clear();
      }
      this.timers.suggest = setTimeout(() => this.suggest(q), SUGGEST_DELAY);
      this.timers.search = setTimeout(() => {
        if (q !== this.state.q || !this.shown) this.searchFor(q, true);
      }, SEARCH_DELAY);
    }

    clear() {
      this.state.q = this.status.textContent = "";
      this.status.classList.remove("error");
      this.hits.removeAttribute("aria-busy");
      this.closeDetail(false);
      this.empty();
    }

    empty() {
      this.shown = null;
      this.hits.replaceChildren();
      this.facets.replaceChildren();
      this.facets.hidden = this.pager.hidden = this.dym.hidden = this.note.hidden = true;
    }

    onKey(event) {
      const open = !this.list.hidden && this.options.length > 0;
      const key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        const n = this.options.length;
        if (!n) {
          const q = this.input.value.trim();
          if (key === "ArrowDown" && q) this.suggest(q); // reopen a list closed with Escape
          return;
        }
        event.preventDefault();
        // Positions -1 (the typed text) .. n-1, wrapping.
        const next = this.active + (key === "ArrowDown" ? 1 : -1);
        this.highlight(!open ? (key === "ArrowDown" ? 0 : n - 1) : next >= n ? -1 : next < -1 ? n - 1 : next);
      } else if (key === "Enter" && open && this.active >= 0) {
        event.preventDefault();
        this.pick(this.active);
      } else if (key === "Escape" && open) {
        event.preventDefault();
        this.closeSuggest();
      } else if (key === "Tab") {
        this.closeSuggest();
      }
    }

    async suggest(prefix) {
      if (this.suggesting) this.suggesting.abort();
      if (this.noSuggest) return;
      const controller = new AbortController();
      this.suggesting = controller;
      const params = new URLSearchParams({ q: prefix, limit: String(SUGGEST_LIMIT) });
      const agency = (this.getAttribute("agency") || "").trim();
      if (/^[0-9]{1,10}$/.test(agency)) params.set("agency_id", agency);
      try {
        const data = await this.fetchJson(`/api/v1/catalog/search/suggest?${params}`, controller.signal);
        if (controller.signal.aborted || this.input.value.trim() !== prefix) return;
        const seen = new Set();
        this.options = (Array.isArray(data && data.items) ? data.items : []).filter((item) => {
          const text = item && typeof item.text === "string" ? item.text.trim() : "";
          if (!text || seen.has(text) || text === prefix) return false;
          seen.add(text);
          return true;
        });
        this.renderSuggest();
      } catch (error) {
        // An older server without completions: stop asking. Anything else: no list this time.
        if (error && (error.status === 404 || error.status === 405)) this.noSuggest = true;
      } finally {
        if (this.suggesting === controller) this.suggesting = null;
      }
    }

    renderSuggest() {
      this.active = -1;
      this.list.replaceChildren(
        ...this.options.map((item, i) =>
          el(
            "li",
            {
              id: `${this.ids.list}-${i}`,
              role: "option",
              "aria-selected": "false",
              onclick: () => this.pick(i),
            },
            el("span", { text: item.text.trim() }),
            KINDS[item.kind] ? el("span", { class: "kind", text: KINDS[item.kind] }) : null,
          ),
        ),
      );
      const open = this.options.length > 0 && this.input.matches(":focus");
      this.list.hidden = !open;
      this.input.setAttribute("aria-expanded", open ? "true" : "false");
      this.input.removeAttribute("aria-activedescendant");
    }

    highlight(index) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.active = index < this.options.length ? index : -1;
      [...this.list.children].forEach((option, i) => option.setAttribute("aria-selected", i === this.active ? "true" : "false"));
      if (this.active < 0) return this.input.removeAttribute("aria-activedescendant");
      const option = this.list.children[this.active];
      this.input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    }

    pick(index) {
      const item = this.options[index];
      if (!item) return;
      this.input.value = item.text.trim();
      this.searchFor(this.input.value);
    }

    closeSuggest() {
      clearTimeout(this.timers.suggest);
      if (this.suggesting) this.suggesting.abort();
      this.options = [];
      this.active = -1;
      this.list.hidden = true;
      this.list.replaceChildren();
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }

    goTo(step) {
      this.state.page = Math.max(1, this.state.page + step);
      this.search(step < 0 ? "prev" : "next");
    }

    toggle(facet, value) {
      const s = this.state;
      if (facet === "category" || facet === "doc_type") {
        if (s[facet].has(value)) s[facet].delete(value);
        else s[facet].add(value);
      } else if (facet === "year") {
        s.year = s.year === value ? null : value;
      } else if (facet === "agency_id") {
        s.agency = s.agency === value ? null : value;
      }
      s.page = 1;
      this.search(`facet:${facet}:${value}`);
    }

    selected(facet, value) {
      const s = this.state;
      if (facet === "category" || facet === "doc_type") return s[facet].has(value);
      if (facet === "year") return s.year === value;
      return facet === "agency_id" && s.agency === value;
    }

    query() {
      const s = this.state;
      const params = new URLSearchParams();
      params.set("q", s.q);
      const agency = s.agency || (this.getAttribute("agency") || "").trim();
      if (/^[0-9]{1,10}$/.test(agency)) params.set("agency_id", agency);
      s.category.forEach((value) => params.append("category", value));
      s.doc_type.forEach((value) => params.append("doc_type", value));
      if (s.year && /^[0-9]{4}$/.test(s.year)) {
        params.set("from", `${s.year}-01-01`);
        params.set("to", `${s.year}-12-31`);
      }
      params.set("page", String(s.page));
      params.set("page_size", String(this.pageSize));
      if (this.typing) params.set("intent", "typing"); // not counted as a search in the log
      this.typing = false;
      return params;
    }

    async fetchJson(path, signal) {
      const init = { headers: this.headers(), signal, mode: "cors", credentials: "omit" };
      const response = await fetch(this.api + path, init).catch(async (error) => {
        // Refused by CORS or the network down? The gateway tells.
        const site = signal.aborted ? null : await fetch(`${this.api}/widget/site`).catch(() => null);
        if (site && site.status === 403) error.code = (await site.json()).code;
        throw error;
      });
      if (!response.ok) {
        const error = new Error(`HTTP ${response.status}`);
        error.status = response.status;
        error.retryAfter = response.headers.get("Retry-After");
        throw error;
      }
      return response.json();
    }

    showError(error) {
      let message = UNAVAILABLE;
      if (error && error.code === "site_not_registered") message = "本站点尚未登记，请联系网站管理员";
      if (error && error.status === 429) {
        const seconds = parseInt(error.retryAfter || "", 10);
        message = seconds > 0 ? `检索过于频繁，请 ${seconds} 秒后再试` : "检索过于频繁，请稍后再试";
      }
      this.status.textContent = message;
      this.status.classList.add("error");
    }

    async search(focusKey) {
      if (this.controller) this.controller.abort();
      const controller = new AbortController();
      this.controller = controller;
      this.closeDetail(false);
      this.status.classList.remove("error");
      this.status.textContent = "正在检索…";
      this.hits.setAttribute("aria-busy", "true");
      try {
        const data = await this.fetchJson(`/api/v1/catalog/search?${this.query()}`, controller.signal);
        if (controller.signal.aborted) return;
        this.render(data, focusKey);
      } catch (error) {
        if (controller.signal.aborted || (error && error.name === "AbortError")) return;
        this.empty();
        this.showError(error);
      } finally {
        if (this.controller === controller) {
          this.controller = null;
          this.hits.removeAttribute("aria-busy");
        }
      }
    }

    render(data, focusKey) {
      const total = Number(data.total) || 0;
      const took = Math.round(Number(data.took_ms) || 0);
      this.status.textContent = `共 ${total} 条，用时 ${took} 毫秒`;
      const size = Number(data.page_size) || this.pageSize;
      const pages = Math.max(1, Math.ceil(total / size));
      const page = Math.min(Number(data.page) || 1, pages);
      this.shown = { q: this.state.q, first: (page - 1) * size + 1 };
      this.renderFacets(data.facets || {});
      this.hits.replaceChildren(...(data.hits || []).map((hit, i) => this.renderHit(hit, i)));
      if (!total) this.hits.append(el("li", { class: "empty", text: "未找到相关文件，请换个关键词试试。" }));
      const terms = total ? [] : words(data.did_you_mean);
      this.dym.replaceChildren(
        document.createTextNode("您是不是要找："),
        ...terms.map((term) =>
          el("button", {
            type: "button",
            text: term,
            onclick: () => {
              this.input.value = term;
              this.searchFor(term);
              this.input.focus();
            },
          }),
        ),
      );
      this.dym.hidden = !terms.length;
      this.note.hidden = !(total && data.relaxed === true);
      this.state.page = page;
      this.pageLabel.textContent = `第 ${page} / ${pages} 页`;
      this.prev.disabled = page <= 1;
      this.next.disabled = page >= pages;
      this.pager.hidden = pages <= 1;
      this.restoreFocus(focusKey);
    }

    restoreFocus(focusKey) {
      if (!focusKey) return;
      let target = null;
      if (focusKey === "prev" || focusKey === "next") {
        target = this[focusKey].disabled ? (focusKey === "prev" ? this.next : this.prev) : this[focusKey];
        if (target.disabled || this.pager.hidden) target = this.hits.querySelector("a");
      } else {
        target = [...this.facets.querySelectorAll("button")].find((b) => b.dataset.key === focusKey);
      }
      if (target) target.focus();
    }

    renderFacets(facets) {
      const groups = [];
      for (const [facet, label] of FACETS) {
        const values = (Array.isArray(facets[facet]) ? facets[facet] : []).slice(0, MAX_FACET_VALUES);
        if (facet === "agency_id" && values.length < 2 && !this.state.agency) continue;
        if (!values.length) continue;
        const labelId = `${this.ids.status}-${facet}`;
        const buttons = values.map((item) => {
          const value = String(item.value);
          const pressed = this.selected(facet, value);
          return el(
            "button",
            {
              type: "button",
              class: "facet",
              "aria-pressed": pressed ? "true" : "false",
              "data-facet": facet,
              "data-value": value,
              "data-key": `facet:${facet}:${value}`,
              onclick: () => this.toggle(facet, value),
            },
            document.createTextNode(String(item.label || value)),
            el("span", { class: "count", text: `(${Number(item.count) || 0})` }),
          );
        });
        groups.push(
          el(
            "div",
            { class: "group", role: "group", "aria-labelledby": labelId },
            el("span", { class: "group-label", id: labelId, text: label }),
            ...buttons,
          ),
        );
      }
      this.facets.replaceChildren(...groups);
      this.facets.hidden = groups.length === 0;
    }

    renderHit(hit, index) {
      const id = encodeURIComponent(String(hit.id));
      const position = this.shown.first + index;
      const q = this.shown.q;
      const link = el("a", {
        class: "title",
        href: `${this.api}/api/v1/catalog/documents/${id}`,
        onclick: (event) => {
          this.reportClick(q, hit.id, position);
          if (event.button || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          this.openDetail(hit, link);
        },
        onauxclick: (event) => event.button === 1 && this.reportClick(q, hit.id, position),
      });
      appendMarked(link, hit.title_html != null ? hit.title_html : hit.title);
      const snippet = el("p", { class: "snippet" });
      appendMarked(snippet, hit.snippet_html);
      const meta = el(
        "p",
        { class: "meta" },
        el("span", { class: "agency", text: hit.agency_name || "" }),
        hit.doc_number ? el("span", { class: "number", text: hit.doc_number }) : null,
        hit.published_at
          ? el("time", { datetime: String(hit.published_at), text: formatDate(hit.published_at) })
          : null,
        VALIDITY[hit.validity] ? el("span", { class: "badge", text: VALIDITY[hit.validity] }) : null,
      );
      // As web search engines do: the query words this hit lacks, struck through.
      const missing = words(hit.missing_words);
      const lacks = el("p", { class: "missing", hidden: !missing.length }, "未包含：");
      missing.forEach((word, i) => lacks.append(i ? "、" : "", el("s", { text: word })));
      return el("li", { class: "hit" }, el("div", null, link), snippet, meta, lacks);
    }

    /** Which result was opened, for ranking: fire-and-forget, never in the way of the click. */
    reportClick(q, documentId, position) {
      const id = Number(documentId);
      if (!q || !Number.isInteger(id) || id < 1) return;
      try {
        fetch(`${this.api}/api/v1/catalog/search/clicks`, {
          method: "POST",
          keepalive: true,
          mode: "cors",
          credentials: "omit",
          headers: { ...this.headers(), "Content-Type": "application/json" },
          body: JSON.stringify({ q, document_id: id, position }),
        }).catch(() => {});
      } catch (e) {
        // ignored: a lost click only makes the ranking a little less informed
      }
    }

    async openDetail(hit, link) {
      if (this.controller) this.controller.abort();
      const controller = new AbortController();
      this.controller = controller;
      this.lastLink = link;
      const heading = el("h3", { tabindex: "-1" });
      appendMarked(heading, hit.title_html != null ? hit.title_html : hit.title);
      const back = el("button", { type: "button", class: "back", text: "返回检索结果", onclick: () => this.closeDetail(true) });
      const body = el("div", { class: "text", text: "正在载入…" });
      this.detail.replaceChildren(back, heading, body);
      this.results.hidden = true;
      this.detail.hidden = false;
      heading.focus();
      try {
        const doc = await this.fetchJson(`/api/v1/catalog/documents/${encodeURIComponent(String(hit.id))}`, controller.signal);
        if (controller.signal.aborted) return;
        heading.replaceChildren(document.createTextNode(doc.title || hit.title || ""));
        const labels = doc.labels || {};
        const rows = [
          ["发布机关", hit.agency_name],
          ["索引号", doc.index_no],
          ["文号", doc.doc_number],
          ["成文日期", doc.written_on],
          ["发布日期", formatDate(doc.published_at)],
          ["主题分类", labels.category],
          ["体裁", labels.doc_type],
          ["有效性", labels.validity],
        ].filter(([, value]) => value);
        const list = el("dl", null);
        for (const [term, value] of rows) list.append(el("dt", { text: term }), el("dd", { text: String(value) }));
        body.textContent = doc.body_text || "";
        const files = (doc.attachments || [])
          .map((file) => [file, file.url ? safeUrl(file.url, this.api) : null])
          .filter(([, href]) => href)
          .map(([file, href]) => el("li", null, el("a", { href, rel: "noopener", text: file.filename || "附件" })));
        this.detail.replaceChildren(back, heading, list, body);
        if (files.length) this.detail.append(el("ul", { class: "files", "aria-label": "附件" }, ...files));
      } catch (error) {
        if (controller.signal.aborted || (error && error.name === "AbortError")) return;
        body.textContent = error && error.status === 404 ? "该文件已不再公开。" : UNAVAILABLE;
      } finally {
        if (this.controller === controller) this.controller = null;
      }
    }

    closeDetail(byUser) {
      if (this.detail.hidden) return;
      if (byUser && this.controller) this.controller.abort();
      this.detail.hidden = true;
      this.detail.replaceChildren();
      this.results.hidden = false;
      if (byUser && this.lastLink && this.lastLink.isConnected) this.lastLink.focus();
    }
  }

  customElements.define(TAG, GongkaiSearch);
})();
