/*
 * Soisy instalment widget: credit advertising with one representative example (docs/compliance.md).
 * Each [data-soisy-widget] box asks data-endpoint (the app proxy) for a quote of data-amount cents,
 * follows variant and cart changes, hides itself when Soisy cannot be offered, never throws.
 * window.SoisyWidget: the pure formatter (also used by the app's in-store pages) and init/update.
 */
(function (w) {
  "use strict";
  if (w.SoisyWidget) return;

  function isIt(locale) {
    return /^it/i.test(locale || "");
  }
  function group(digits, sep) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }
  /** Cents → "€ 1.234,56" (Italian, no-break space) or "€1,234.56" (English). */
  function money(cents, locale) {
    var c = Math.abs(Math.round(cents));
    var units = String(Math.floor(c / 100));
    var dec = String(c % 100).padStart(2, "0");
    var sign = cents < 0 ? "-" : "";
    return isIt(locale) ? sign + "€\u00a0" + group(units, ".") + "," + dec : sign + "€" + group(units, ",") + "." + dec;
  }
  /** 7.9 → "7,90%" (Italian) or "7.90%" (English). */
  function percent(value, locale) {
    var s = Number(value).toFixed(2);
    return (isIt(locale) ? s.replace(".", ",") : s) + "%";
  }
  /** "a {x}" + {x: 1} → [["a "], ["1", "x"]]: figures tagged with their field. */
  function parts(template, values) {
    var out = [];
    var re = /\{(\w+)\}/g;
    var s = String(template || "");
    var last = 0;
    var m;
    while ((m = re.exec(s))) {
      if (m.index > last) out.push([s.slice(last, m.index)]);
      out.push(m[1] in values ? [String(values[m[1]]), m[1]] : [m[0]]);
      last = re.lastIndex;
    }
    if (last < s.length) out.push([s.slice(last)]);
    return out;
  }
  /** q.example → headline, option (in-store page), details, legal note. */
  function texts(q, t, locale) {
    var e = q.example;
    var l = q.lender || {};
    var v = { n: e.instalments, months: e.months, tan: percent(e.tan, locale), taeg: percent(e.taeg, locale) };
    [["instalment"], ["price", "cashPrice"], ["advance"], ["credit"], ["interest"], ["fees"], ["total"]].forEach(function (k) {
      v[k[0]] = money(e[k[1] || k[0]], locale);
    });
    return {
      quote: parts(e.zeroInterest ? t.quote_zero : t.quote, v),
      option: parts(e.zeroInterest ? t.option_zero : t.option, v),
      example: parts(t.example, v),
      legal: parts(t.legal, { lender: l.name || "", registration: l.registration ? ", " + l.registration : "" }),
    };
  }
  /** Only a complete offer is shown. */
  function usable(q) {
    var e = q && q.example;
    var ok = !!(q && q.available === true && e);
    ["cashPrice", "advance", "credit", "instalments", "months", "instalment", "tan", "taeg", "interest", "fees", "total"].forEach(function (k) {
      ok = ok && typeof e[k] === "number" && isFinite(e[k]);
    });
    return ok;
  }
  /** No n: the shop's setting decides. */
  function quoteUrl(endpoint, amount, n, locale) {
    return endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "amount=" + amount + (n ? "&instalments=" + n : "") + "&locale=" + (isIt(locale) ? "it" : "en");
  }

  var api = { money: money, percent: percent, parts: parts, texts: texts, usable: usable, quoteUrl: quoteUrl };
  w.SoisyWidget = api;
  var d = w.document;
  if (!d || !w.fetch) return;

  var realFetch = w.fetch.bind(w);
  var cache = {};
  var boxes = [];

  function get(url) {
    if (!cache[url]) {
      cache[url] = realFetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw r.status;
          return r.json();
        })
        .catch(function () {
          delete cache[url];
          return null;
        });
    }
    return cache[url];
  }

  function init(el) {
    if (!el || el.soisy) return;
    var t = {};
    try {
      t = JSON.parse(el.querySelector("[data-soisy-t]").textContent);
    } catch (e) {/**/}
    var box = { el: el, t: t, seq: 0, acted: false };
    el.soisy = box;
    boxes.push(box);
    var btn = el.querySelector("[data-soisy-open]");
    var dlg = el.querySelector("dialog");
    if (btn && dlg && dlg.showModal) {
      btn.addEventListener("click", function () {
        dlg.showModal();
      });
      dlg.addEventListener("close", function () {
        btn.focus();
      });
    }
    if (!el.hidden) show(box, +el.getAttribute("data-amount"));
  }

  /** Parts → text and <span data-soisy-field> (never HTML). */
  function render(el, ps) {
    if (!el) return;
    el.textContent = "";
    ps.forEach(function (p) {
      var n = d.createElement("span");
      n.textContent = p[0];
      if (p[1]) n.setAttribute("data-soisy-field", p[1]);
      el.appendChild(p[1] ? n : d.createTextNode(p[0]));
    });
  }

  function hide(box) {
    // On first load keep the reserved box (no layout shift); after a shopper's action collapse it.
    if (box.acted) box.el.hidden = true;
    else box.el.classList.add("soisy-w--off");
    var btn = box.el.querySelector("[data-soisy-open]");
    if (btn) btn.disabled = true;
  }

  function show(box, amount) {
    var el = box.el;
    var seq = ++box.seq;
    if (!(amount > 0)) return hide(box);
    el.setAttribute("data-amount", amount);
    var locale = el.getAttribute("data-locale") || d.documentElement.lang || "it";
    var url = quoteUrl(el.getAttribute("data-endpoint"), Math.round(amount), el.getAttribute("data-instalments"), locale);
    get(url).then(function (q) {
      if (seq !== box.seq) return;
      if (!usable(q)) return hide(box);
      var s = texts(q, box.t, locale);
      render(el.querySelector("[data-soisy-quote]"), s.quote);
      render(el.querySelector("[data-soisy-example]"), s.example);
      render(el.querySelector("[data-soisy-legal]"), s.legal);
      var l = q.lender || {};
      el.querySelectorAll("[data-soisy-doc]").forEach(function (a) {
        var href = l[a.getAttribute("data-soisy-doc") + "Url"];
        if (/^https:\/\//.test(href || "")) a.href = href;
        else a.removeAttribute("href");
      });
      el.querySelector("[data-soisy-open]").disabled = false;
      el.classList.remove("soisy-w--off");
      el.classList.add("soisy-w--on");
      el.hidden = false;
    }).catch(function () {});
  }

  function update(el, amount) {
    if (el && el.soisy) show(el.soisy, amount);
  }

  function each(kind, fn) {
    boxes.forEach(function (b) {
      if (b.el.getAttribute("data-soisy-widget") === kind && b.el.isConnected) {
        b.acted = true;
        fn(b);
      }
    });
  }

  function onVariant(id) {
    each("product", function (b) {
      var price = b.t.variants && b.t.variants[id];
      if (typeof price === "number") show(b, price);
    });
  }

  var cartTimer;
  function refreshCart() {
    clearTimeout(cartTimer);
    cartTimer = setTimeout(function () {
      var first = boxes.filter(function (b) {
        return b.el.getAttribute("data-soisy-widget") === "cart";
      })[0];
      if (!first) return;
      realFetch(first.el.getAttribute("data-cart"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (cart) {
          if (cart && typeof cart.total_price === "number") {
            each("cart", function (b) {
              show(b, cart.item_count > 0 ? cart.total_price : 0);
            });
          }
        })
        .catch(function () {});
    }, 50);
  }

  // Cart changes: the theme's own fetch / XHR calls to /cart/add|change|update|clear, and common theme events.
  function isCart(u) {
    return /\/cart\/(add|change|update|clear)(\.js)?\b/.test(u);
  }
  w.fetch = function (input) {
    var p = realFetch.apply(w, arguments);
    try {
      if (isCart(typeof input === "string" ? input : (input && input.url) || String(input))) p.then(refreshCart, function () {});
    } catch (e) {/**/}
    return p;
  };
  var X = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
  if (X) {
    var open = X.open;
    X.open = function (method, url) {
      try {
        if (isCart(String(url))) this.addEventListener("load", refreshCart);
      } catch (e) {/**/}
      return open.apply(this, arguments);
    };
  }
  ["cart:updated", "cart:refresh", "cart:change", "cart-drawer:refresh", "theme:cart:change"].forEach(function (name) {
    d.addEventListener(name, refreshCart);
  });

  // Variant changes: the product form's variant id input, and ?variant= in the URL.
  d.addEventListener("change", function (e) {
    var target = e.target;
    if (target && target.name === "id" && target.form && /\/cart\/add/.test(target.form.getAttribute("action") || "")) {
      onVariant(target.value);
    }
  });
  function fromUrl() {
    var m = /[?&]variant=(\d+)/.exec(w.location.search);
    if (m) onVariant(m[1]);
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var orig = w.history[name];
    w.history[name] = function () {
      var r = orig.apply(this, arguments);
      try {
        fromUrl();
      } catch (e) {/**/}
      return r;
    };
  });
  w.addEventListener("popstate", fromUrl);

  api.init = init;
  api.update = update;
  function start() {
    boxes = boxes.filter(function (b) {
      return b.el.isConnected;
    });
    d.querySelectorAll("[data-soisy-widget]").forEach(function (el) {
      if (el.getAttribute("data-soisy-widget") !== "manual") init(el);
    });
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
  // Themes re-render sections (variant picker, cart drawer) with fresh block HTML: start the new boxes.
  var later;
  if (w.MutationObserver) {
    new MutationObserver(function () {
      if (!later) {
        later = setTimeout(function () {
          later = 0;
          start();
        }, 50);
      }
    }).observe(d.documentElement, { childList: true, subtree: true });
  }
})(window);
