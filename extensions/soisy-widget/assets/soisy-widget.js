/*
 * Soisy instalment widget ("Paga in 12 rate da € X con Soisy"). Plain JavaScript, no dependencies.
 * Each [data-soisy-widget] box asks its data-endpoint (the app proxy) for a quote of data-amount
 * cents and fills its aria-live region. It follows variant changes (product) and cart changes
 * (cart), hides itself when Soisy cannot be offered, and never throws into the page.
 * window.SoisyWidget exposes the pure helpers (unit tests) and init/update (the admin preview).
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
  /** Cents → "€ 1.234,56" (Italian) or "€1,234.56" (English). */
  function money(cents, locale) {
    var c = Math.abs(Math.round(cents));
    var units = String(Math.floor(c / 100));
    var dec = String(c % 100).padStart(2, "0");
    var sign = cents < 0 ? "-" : "";
    return isIt(locale) ? sign + "€ " + group(units, ".") + "," + dec : sign + "€" + group(units, ",") + "." + dec;
  }
  /** 7.9 → "7,90%" (Italian) or "7.90%" (English). */
  function percent(value, locale) {
    var s = Number(value).toFixed(2);
    return (isIt(locale) ? s.replace(".", ",") : s) + "%";
  }
  function range(r, format) {
    return r.min === r.max ? format(r.min) : format(r.min) + "\u00a0– " + format(r.max);
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) {
      return k in values ? values[k] : m;
    });
  }
  /** The texts of an available quote: {quote, rates, example}. */
  function texts(q, t, locale) {
    var m = function (c) {
      return money(c, locale);
    };
    var p = function (x) {
      return percent(x, locale);
    };
    var v = {
      n: q.instalments,
      amount: m(q.instalmentAmount),
      instalment: m(q.instalmentAmount),
      tan: range(q.tan, p),
      taeg: range(q.taeg, p),
      total: range(q.totalRepaidRange, m),
    };
    var out = { quote: fill(t.quote, v), rates: fill(q.zeroInterest ? t.zero : t.rates, v) };
    v.amount = m(q.amount);
    v.total = m(q.totalRepaid);
    out.example = fill(t.example, v);
    return out;
  }
  /** A quote answer the widget can show (anything else hides it). */
  function usable(q) {
    var n = function (x) {
      return typeof x === "number" && isFinite(x);
    };
    var r = function (x) {
      return x && n(x.min) && n(x.max);
    };
    return !!(q && q.available === true && n(q.amount) && n(q.instalments) && n(q.instalmentAmount) && n(q.totalRepaid) && r(q.tan) && r(q.taeg) && r(q.totalRepaidRange));
  }
  /** No n: the endpoint uses the number of instalments of the shop's settings. */
  function quoteUrl(endpoint, amount, n, locale) {
    return endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "amount=" + amount + (n ? "&instalments=" + n : "") + "&locale=" + (isIt(locale) ? "it" : "en");
  }

  var api = { money: money, percent: percent, texts: texts, usable: usable, quoteUrl: quoteUrl, fill: fill };
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
    } catch (e) {
      /* no texts: the widget stays empty */
    }
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
      el.querySelector("[data-soisy-quote]").textContent = s.quote;
      el.querySelector("[data-soisy-rates]").textContent = " " + s.rates;
      var ex = el.querySelector("[data-soisy-example]");
      if (ex) ex.textContent = s.example;
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
    } catch (e) {
      /* never break the theme's fetch */
    }
    return p;
  };
  var X = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
  if (X) {
    var open = X.open;
    X.open = function (method, url) {
      try {
        if (isCart(String(url))) this.addEventListener("load", refreshCart);
      } catch (e) {
        /* ignore */
      }
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
      } catch (e) {
        /* ignore */
      }
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
