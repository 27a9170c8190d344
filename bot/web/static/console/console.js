/*
 * 12333 agent console: a small hash-routed single-page app over the JSON API (/api/...).
 * The session is an HttpOnly cookie; state-changing requests add X-Requested-With so the server
 * can tell them from cross-site forms. Everything from the server is inserted as text.
 */
(function () {
  "use strict";

  var view = document.getElementById("view");
  var me = null;

  // ---------------------------------------------------------------- helpers
  function h(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v == null || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        else if (k === "value") node.value = v;
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child == null || child === false) continue;
      if (Array.isArray(child)) child.forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
      else node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-Requested-With": "haina-console" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { location.href = "/console/login"; throw new Error("登录已过期，请重新登录。"); }
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || "请求失败（" + r.status + "）。");
          err.details = (data.error && data.error.details) || [];
          err.status = r.status;
          throw err;
        }
        return data;
      });
    }, function () { throw new Error("网络连接失败，请检查网络后重试。"); });
  }

  function alertBox(kind, message, details) {
    return h("div", { class: "alert " + kind, role: kind === "error" ? "alert" : "status" },
      h("div", { text: message }),
      details && details.length ? h("ul", null, details.map(function (d) { return h("li", { text: d }); })) : null);
  }
  function showError(target, err) {
    target.textContent = "";
    target.appendChild(alertBox("error", err.message, err.details));
  }
  function badge(text, kind) { return h("span", { class: "badge " + (kind || "") , text: text }); }
  function expertRecord(x) {
    var stars = x.star_level ? "星级：" + "★".repeat(x.star_level) + "☆".repeat(5 - x.star_level) : "星级：未评定";
    var ratings = x.rating_count ? "评价 " + x.rating_count + " 条，平均 " + x.average_rating + " 分" : "暂无评价";
    return stars + " · " + ratings + " · 已完成咨询 " + (x.completed_sessions || 0) + " 次";
  }
  function verificationBadge(v) {
    return badge(v, v === "原文" ? "ok" : v === "待核实" ? "warn" : "info");
  }
  function copyButton(getText, label) {
    var btn = h("button", { type: "button", class: "secondary copy", text: label || "复制" });
    btn.addEventListener("click", function () {
      var text = getText();
      var done = function () { btn.textContent = "已复制"; setTimeout(function () { btn.textContent = label || "复制"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
      function fallback() {
        var ta = h("textarea", { class: "offscreen" });
        ta.value = text;
        document.body.appendChild(ta);
        ta.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* ignore */ }
        ta.remove();
      }
    });
    return btn;
  }
  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    var pad = function (n) { return ("0" + n).slice(-2); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function debounce(fn, ms) {
    var t;
    return function () { var args = arguments; clearTimeout(t); t = setTimeout(function () { fn.apply(null, args); }, ms); };
  }
  function page(title, subtitle) {
    view.textContent = "";
    view.appendChild(h("h1", { text: title }));
    if (subtitle) view.appendChild(h("p", { class: "muted", text: subtitle }));
    document.title = title + " · 海纳百创坐席工作台";
  }
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  // ---------------------------------------------------------------- 政策检索
  function searchView() {
    page("政策检索", "输入关键词即时检索知识库，例如“大学生 贷款 浦东”“首次创业补贴”“沪人社规〔2023〕”。");
    var results = h("div", { id: "search-results", class: "results" });
    var input = h("input", { id: "search-input", type: "search", class: "big", placeholder: "输入政策名称、人群、区、文号……", autocomplete: "off", maxlength: "200" });
    var seq = 0;
    var run = debounce(function () {
      var q = input.value.trim();
      sessionStorage.setItem("console:q", q);
      var mine = ++seq;
      if (!q) { results.textContent = ""; return; }
      api("GET", "/api/policies/search?limit=12&q=" + encodeURIComponent(q)).then(function (data) {
        if (mine !== seq) return;
        results.textContent = "";
        if (!data.results.length) { results.appendChild(alertBox("info", "没有找到相关政策，换个关键词试试。")); return; }
        data.results.forEach(function (r) {
          results.appendChild(h("a", { class: "result" + (r.current ? "" : " old"), href: "#/policy/" + encodeURIComponent(r.policy_id), "data-policy": r.policy_id },
            h("div", { class: "result-head" },
              h("strong", { text: r.name }),
              r.marker ? badge(r.marker, "warn") : null,
              badge(r.status_label, r.current ? "ok" : "danger"),
              badge(r.category),
              r.district ? badge(r.district, "info") : null),
            r.key_figures.length ? h("ul", { class: "figures" }, r.key_figures.map(function (f) { return h("li", { text: f }); })) : null,
            h("p", { class: "summary", text: r.summary }),
            r.superseded_by_name ? h("p", { class: "muted", text: "现行政策：" + r.superseded_by_name }) : null));
        });
      }).catch(function (err) { if (mine === seq) showError(results, err); });
    }, 180);
    input.addEventListener("input", run);
    view.appendChild(input);
    view.appendChild(results);
    input.value = sessionStorage.getItem("console:q") || "";
    if (input.value) run();
    input.focus();
  }

  // ---------------------------------------------------------------- 政策详情
  function policyView(id) {
    page("政策详情");
    api("GET", "/api/policies/" + encodeURIComponent(id)).then(function (p) {
      page(p.name);
      document.querySelector("h1").appendChild(badge(p.status_label, p.in_force ? "ok" : "danger"));
      var f = p.freshness;
      if (!p.in_force) {
        view.appendChild(h("div", { class: "alert error", id: "policy-warning" },
          h("strong", { text: "不是现行政策：" }), f.warning || "",
          p.superseded_by ? h("div", null, "现行政策：", h("a", { href: "#/policy/" + p.superseded_by.id, text: p.superseded_by.name })) : null));
      } else if (f.status === "expiring_soon") {
        view.appendChild(h("div", { class: "alert warn", id: "policy-warning", text: f.warning }));
      }
      var meta = [];
      meta.push("类别：" + p.category);
      if (p.district) meta.push("适用：" + p.district);
      if (p.effective_from) meta.push("施行：" + p.effective_from);
      meta.push("有效期至：" + (p.expires_on || "未规定"));
      if (p.last_reviewed) meta.push("最近核对：" + p.last_reviewed);
      view.appendChild(h("p", { class: "muted", text: meta.join("　·　") }));
      var vc = p.verification_counts;
      view.appendChild(h("p", { class: "verification" }, "核实情况：", verificationBadge("原文"), " " + vc["原文"] + " 项　",
        verificationBadge("转述"), " " + vc["转述"] + " 项　", verificationBadge("待核实"), " " + vc["待核实"] + " 项",
        p.partial ? badge("资料不全", "warn") : null));

      var card = h("pre", { class: "card-text", id: "policy-card", text: p.card });
      view.appendChild(h("section", { class: "panel" },
        h("div", { class: "panel-head" }, h("h2", { text: "答复口径（可直接读给来电人）" }), copyButton(function () { return p.card; }, "复制口径")),
        card));

      if (p.facts.length) {
        view.appendChild(h("section", { class: "panel" }, h("h2", { text: "关键数据" }),
          h("div", { class: "table-wrap" }, h("table", null,
            h("thead", null, h("tr", null, h("th", { text: "项目" }), h("th", { text: "内容" }), h("th", { text: "核实" }))),
            h("tbody", null, p.facts.map(function (x) {
              return h("tr", null, h("td", { text: x.label }), h("td", { text: x.text }), h("td", null, verificationBadge(x.verification)));
            }))))));
      }
      if (p.eligibility.length) {
        view.appendChild(h("section", { class: "panel" }, h("h2", { text: "申请条件" }),
          h("ul", { class: "rules" }, p.eligibility.map(function (r) {
            return h("li", null, r.text, " ", verificationBadge(r.verification), r.manual ? badge("需人工核实", "warn") : null);
          })),
          h("a", { class: "button primary", href: "#/check/" + encodeURIComponent(p.id), id: "check-this", text: "按此政策做资格检查" })));
      }
      if (p.apply && (p.apply.online || p.apply.offline || p.apply.deadline)) {
        view.appendChild(h("section", { class: "panel" }, h("h2", { text: "怎么申请" }),
          p.apply.online ? h("p", { text: "线上：" + p.apply.online }) : null,
          p.apply.offline ? h("p", { text: "线下：" + p.apply.offline }) : null,
          p.apply.deadline ? h("p", { text: "时限：" + p.apply.deadline }) : null,
          p.apply.verification ? h("p", null, "核实：", verificationBadge(p.apply.verification)) : null));
      }
      if (p.notes.length) {
        view.appendChild(h("section", { class: "panel" }, h("h2", { text: "特别提示" }),
          h("ul", null, p.notes.map(function (n) { return h("li", null, n.text, " ", verificationBadge(n.verification)); }))));
      }
      view.appendChild(h("section", { class: "panel", id: "policy-sources" }, h("h2", { text: "来源" }),
        p.sources.length ? h("ol", { class: "sources" }, p.sources.map(function (s) {
          return h("li", null, s.citation.replace(/^来源：/, ""),
            s.reliability ? badge("可靠性 " + s.reliability, "info") : null,
            s.url ? h("div", null, h("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: s.url })) : null);
        })) : h("p", { class: "muted", text: "暂无来源记录。" })));
      if (p.replaces.length || p.related.length) {
        view.appendChild(h("section", { class: "panel" }, h("h2", { text: "相关政策" }),
          h("ul", null, p.replaces.map(function (r) { return h("li", null, "替代了：", h("a", { href: "#/policy/" + r.id, text: r.name })); }),
            p.related.map(function (r) { return h("li", null, h("a", { href: "#/policy/" + r.id, text: r.name })); }))));
      }
      view.appendChild(h("p", { class: "muted small", text: "判断日期：" + p.reference_date }));
    }).catch(function (err) { showError(view, err); });
  }

  // ---------------------------------------------------------------- 资格检查
  var fieldsCache = null;
  function checkView(policyId) {
    page("资格检查", "按来电人的情况填写，未知的项留空；判断由政策知识库的同一套规则给出。");
    var out = h("div", { id: "check-output" });
    (fieldsCache ? Promise.resolve(fieldsCache) : api("GET", "/api/eligibility/fields")).then(function (data) {
      fieldsCache = data;
      var select = h("select", { id: "check-policy", name: "policy_id" },
        h("option", { value: "", text: "全部现行政策（逐项判断）" }),
        data.policies.map(function (p) { return h("option", { value: p.id, text: p.name }); }));
      if (policyId) select.value = policyId;
      var inputs = {};
      var grid = h("div", { class: "field-grid" }, data.fields.map(function (f) {
        var control;
        if (f.type === "choice" || f.type === "bool") {
          var options = f.type === "bool" ? [{ value: "true", label: "是" }, { value: "false", label: "否" }] : f.options;
          control = h("select", { name: f.name, id: "f-" + f.name },
            h("option", { value: "", text: "（未知）" }),
            options.map(function (o) { return h("option", { value: o.value, text: o.label }); }));
        } else if (f.type === "multi") {
          control = h("div", { class: "checks", id: "f-" + f.name }, f.options.map(function (o) {
            return h("label", { class: "check" }, h("input", { type: "checkbox", name: f.name, value: o.value }), o.label);
          }));
        } else if (f.type === "date") {
          control = h("input", { type: "date", name: f.name, id: "f-" + f.name });
        } else {
          control = h("input", { type: "number", name: f.name, id: "f-" + f.name, min: "0", step: f.type === "int" ? "1" : "any", inputmode: f.type === "int" ? "numeric" : "decimal" });
        }
        inputs[f.name] = { field: f, control: control };
        return h("div", { class: "field" + (f.type === "multi" ? " wide" : "") },
          h("label", { for: "f-" + f.name, text: f.label }),
          control,
          h("small", { class: "muted", text: f.question }));
      }));
      function collect() {
        var profile = {};
        Object.keys(inputs).forEach(function (name) {
          var f = inputs[name].field, c = inputs[name].control;
          if (f.type === "multi") {
            var picked = Array.prototype.filter.call(c.querySelectorAll("input"), function (i) { return i.checked; }).map(function (i) { return i.value; });
            if (picked.length) profile[name] = picked;
            return;
          }
          var v = c.value.trim();
          if (!v) return;
          if (f.type === "bool") profile[name] = v === "true";
          else if (f.type === "int") profile[name] = /^-?\d+$/.test(v) ? parseInt(v, 10) : v;
          else if (f.type === "number") profile[name] = isNaN(Number(v)) ? v : Number(v);
          else profile[name] = v;
        });
        return profile;
      }
      var form = h("form", { class: "panel", id: "check-form" },
        h("div", { class: "field wide" }, h("label", { for: "check-policy", text: "检查哪项政策" }), select),
        grid,
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "primary", id: "check-submit", text: "判断" }),
          h("button", { type: "reset", class: "secondary", text: "清空" })));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        out.textContent = "";
        out.appendChild(h("p", { class: "muted", text: "正在判断…" }));
        var body = { profile: collect() };
        if (select.value) body.policy_id = select.value;
        api("POST", "/api/eligibility/check", body).then(function (res) {
          out.textContent = "";
          var answer = h("textarea", { id: "check-answer", class: "answer", readonly: true, rows: "12" });
          answer.value = res.answer;
          out.appendChild(h("section", { class: "panel" },
            h("div", { class: "panel-head" }, h("h2", { text: "给来电人的答复" }), copyButton(function () { return res.answer; })),
            answer));
          out.appendChild(h("section", { class: "panel" }, h("h2", { text: "逐项结果（判断日期 " + res.reference_date + "）" }),
            h("ul", { class: "verdicts" }, res.results.map(function (r) {
              return h("li", null, badge(r.status_label, r.status === "eligible" ? "ok" : r.status === "not_eligible" ? "danger" : "warn"), " ",
                h("a", { href: "#/policy/" + r.policy_id, text: r.policy_name }),
                Object.keys(r.missing_fields).length ? h("span", { class: "muted", text: "　待补充：" + Object.keys(r.missing_fields).map(function (k) { return inputs[k] ? inputs[k].field.label : k; }).join("、") }) : null);
            }))));
          answer.scrollIntoView({ block: "nearest" });
        }).catch(function (err) { showError(out, err); });
      });
      view.appendChild(form);
      view.appendChild(out);
    }).catch(function (err) { showError(view, err); });
  }

  // ---------------------------------------------------------------- 预约咨询
  var options = null;
  function bookingsView() {
    page("预约咨询", "为来电人预约创业指导专家，或查询、取消已有预约。");
    var msg = h("div", { id: "booking-message" });
    (options ? Promise.resolve(options) : api("GET", "/api/consultations/options")).then(function (o) {
      options = o;
      // -- book
      var topic = h("select", { id: "bk-topic" }, o.areas.map(function (a) { return h("option", { value: a, text: a }); }));
      var form = h("select", { id: "bk-form" }, o.forms.map(function (f) { return h("option", { value: f.value, text: f.label }); }));
      var district = h("select", { id: "bk-district" }, h("option", { value: "", text: "不限" }), o.districts.map(function (d) { return h("option", { value: d, text: d }); }));
      var experts = h("div", { id: "bk-experts" });
      var step2 = h("div", { id: "bk-step2" });
      var find = h("form", { class: "inline-form", id: "bk-find" },
        h("label", null, "咨询方向", topic), h("label", null, "形式", form), h("label", null, "区", district),
        h("button", { type: "submit", class: "primary", text: "查找专家" }));
      find.addEventListener("submit", function (e) {
        e.preventDefault();
        step2.textContent = "";
        experts.textContent = "";
        var q = "?topic=" + encodeURIComponent(topic.value) + "&form=" + form.value + (district.value ? "&district=" + encodeURIComponent(district.value) : "");
        api("GET", "/api/consultations/experts" + q).then(function (d) {
          if (!d.experts.length) { experts.appendChild(alertBox("info", "没有符合条件的专家，可以换个方向、形式或区。")); return; }
          d.experts.forEach(function (x) {
            experts.appendChild(h("div", { class: "expert" },
              h("div", { class: "result-head" }, h("strong", { text: x.name }), x.areas.map(function (a) { return badge(a); }), x.forms.map(function (f) { return badge(f, "info"); })),
              h("p", { class: "summary", text: x.bio }),
              h("p", { class: "muted expert-record", text: expertRecord(x) }),
              h("p", { class: "muted", text: x.next_slots.length ? "最近可约：" + x.next_slots[0].description : "近期暂无空余时段" }),
              x.next_slots.length ? h("button", { type: "button", class: "secondary choose-expert", "data-expert": x.id, text: "选择这位专家", onclick: function () { chooseExpert(x); } }) : null));
          });
        }).catch(function (err) { showError(experts, err); });
      });
      function chooseExpert(x) {
        step2.textContent = "";
        api("GET", "/api/consultations/experts/" + encodeURIComponent(x.id) + "/slots").then(function (d) {
          if (!d.slots.length) { step2.appendChild(alertBox("info", "这位专家近期没有空余时段。")); return; }
          var slot = h("select", { id: "bk-slot" }, d.slots.map(function (s) {
            return h("option", { value: s.id, "data-start": s.start, text: s.description + "（余 " + s.free + " 位）" });
          }));
          var name = h("input", { id: "bk-name", maxlength: "50", placeholder: "如：张先生", autocomplete: "off" });
          var phone = h("input", { id: "bk-phone", maxlength: "20", inputmode: "tel", placeholder: "11 位手机号", autocomplete: "off" });
          var stage = h("input", { id: "bk-stage", maxlength: "50", placeholder: "如：筹备期 / 初创期" });
          var requestId = uuid();
          var confirm = h("form", { class: "panel", id: "bk-confirm" },
            h("h3", { text: "预约 " + x.name }),
            h("div", { class: "field wide" }, h("label", { for: "bk-slot", text: "时段" }), slot),
            h("div", { class: "field-grid" },
              h("div", { class: "field" }, h("label", { for: "bk-name", text: "来电人称呼" }), name),
              h("div", { class: "field" }, h("label", { for: "bk-phone", text: "手机号" }), phone),
              h("div", { class: "field" }, h("label", { for: "bk-stage", text: "创业阶段" }), stage)),
            h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "bk-submit", text: "确认预约" })),
            h("p", { class: "muted small", text: o.notice || "" }));
          confirm.addEventListener("submit", function (e) {
            e.preventDefault();
            msg.textContent = "";
            api("POST", "/api/consultations/bookings", { slot_id: slot.value, name: name.value, phone: phone.value, topic: topic.value, stage: stage.value, request_id: requestId })
              .then(function (d) {
                var b = d.booking;
                step2.textContent = "";
                experts.textContent = "";
                msg.appendChild(alertBox("success", "预约成功，预约码 " + b.code + "：" + b.expert_name + "，" + b.slot.description + "。"));
                if (b.prepare) msg.appendChild(h("p", { class: "muted", text: "请提醒来电人准备：" + b.prepare }));
                lookupPhone.value = phone.value;
              }).catch(function (err) { showError(msg, err); requestId = uuid(); });
          });
          step2.appendChild(confirm);
          step2.scrollIntoView({ block: "nearest" });
        }).catch(function (err) { showError(step2, err); });
      }
      view.appendChild(h("section", { class: "panel" }, h("h2", { text: "为来电人预约" }), find, experts, step2));
      view.appendChild(msg);

      // -- look up / cancel
      var by = h("select", { id: "lk-by" }, h("option", { value: "phone", text: "手机号" }), h("option", { value: "user_id", text: "线上用户编号" }));
      var lookupPhone = h("input", { id: "lk-value", maxlength: "128", placeholder: "来电人手机号", autocomplete: "off" });
      var all = h("input", { type: "checkbox", id: "lk-all" });
      var list = h("div", { id: "lk-results" });
      var lookup = h("form", { class: "inline-form", id: "lk-form" },
        h("label", null, "按", by), lookupPhone, h("label", { class: "check" }, all, "含已取消和已结束"),
        h("button", { type: "submit", class: "primary", id: "lk-submit", text: "查询预约" }));
      by.addEventListener("change", function () { lookupPhone.placeholder = by.value === "phone" ? "来电人手机号" : "线上用户编号（如微信 openid）"; });
      function caller() { var c = {}; c[by.value] = lookupPhone.value; return c; }
      function runLookup() {
        list.textContent = "";
        var body = caller();
        body.all = all.checked;
        api("POST", "/api/consultations/bookings/lookup", body).then(function (d) {
          if (!d.bookings.length) { list.appendChild(alertBox("info", "没有找到预约。")); return; }
          list.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "bookings" },
            h("thead", null, h("tr", null, ["预约码", "状态", "专家", "时段", "来电人", "手机", "方向", "渠道", ""].map(function (t) { return h("th", { text: t }); }))),
            h("tbody", null, d.bookings.map(function (b) {
              return h("tr", { "data-code": b.code },
                h("td", { text: b.code }), h("td", null, badge(b.status_label, b.status === "active" ? "ok" : "")),
                h("td", { text: b.expert_name }), h("td", { text: b.slot.description }),
                h("td", { text: b.name || "-" }), h("td", { text: b.phone }), h("td", { text: b.topic }), h("td", { text: b.channel }),
                h("td", null, b.cancellable ? h("button", { type: "button", class: "danger small cancel-booking", text: "取消预约", onclick: function () {
                  if (!window.confirm("确认取消预约 " + b.code + "？")) return;
                  var c = caller();
                  api("POST", "/api/consultations/bookings/" + encodeURIComponent(b.code) + "/cancel", c).then(function (r) {
                    msg.textContent = "";
                    msg.appendChild(alertBox("success", "已取消预约 " + r.booking.code + "，时段已释放。"));
                    runLookup();
                  }).catch(function (err) { showError(msg, err); });
                } }) : null));
            })))));
        }).catch(function (err) { showError(list, err); });
      }
      lookup.addEventListener("submit", function (e) { e.preventDefault(); runLookup(); });
      var forget = null;
      if (me && me.role === "admin") {
        forget = h("button", { type: "button", class: "danger", id: "lk-forget", text: "删除该来电人的个人数据", onclick: function () {
          if (!window.confirm("将取消其未开始的预约，并从所有预约中删除姓名和手机号，不可恢复。确认？")) return;
          api("POST", "/api/consultations/callers/forget", caller()).then(function (r) {
            msg.textContent = "";
            msg.appendChild(alertBox("success", "已删除：取消 " + r.cancelled + " 个预约，匿名化 " + r.anonymised + " 条记录。"));
            list.textContent = "";
          }).catch(function (err) { showError(msg, err); });
        } });
      }
      view.appendChild(h("section", { class: "panel" }, h("h2", { text: "查询 / 取消预约" }), lookup, list,
        forget ? h("div", { class: "actions" }, forget) : null,
        h("p", { class: "muted small", text: "电话预约按手机号保存；线上（微信等）预约请按用户编号查询。取消须在咨询开始前 " + o.cancel_min_hours + " 小时以上。" })));
    }).catch(function (err) { showError(view, err); });
  }

  // ---------------------------------------------------------------- 未解答问题
  function unansweredView() {
    page("未解答问题", "助手没能回答的问题，按相同问法合并计数，供政策组补充知识库。不含任何个人信息。");
    var days = h("select", { id: "ua-days" }, [[7, "近 7 天"], [30, "近 30 天"], [90, "近 90 天"], [365, "近一年"]].map(function (d) {
      return h("option", { value: String(d[0]), text: d[1] });
    }));
    days.value = "30";
    var q = h("input", { id: "ua-q", type: "search", placeholder: "筛选关键词", maxlength: "100" });
    var out = h("div", { id: "ua-results" });
    function load() {
      api("GET", "/api/unanswered?days=" + days.value + "&q=" + encodeURIComponent(q.value.trim())).then(function (d) {
        out.textContent = "";
        out.appendChild(h("p", { class: "muted", text: "共 " + d.total + " 次提问，" + d.groups.length + " 类问题。" }));
        if (!d.groups.length) return;
        out.appendChild(h("div", { class: "table-wrap" }, h("table", null,
          h("thead", null, h("tr", null, ["问题（示例问法）", "次数", "渠道", "最近一次"].map(function (t) { return h("th", { text: t }); }))),
          h("tbody", null, d.groups.map(function (g) {
            return h("tr", null, h("td", { text: g.example }), h("td", { class: "num", text: String(g.count) }),
              h("td", { text: g.channels.join("、") }), h("td", { text: fmtTime(g.last_asked) }));
          })))));
      }).catch(function (err) { showError(out, err); });
    }
    days.addEventListener("change", load);
    q.addEventListener("input", debounce(load, 250));
    view.appendChild(h("div", { class: "inline-form" }, h("label", null, "时间", days), q));
    view.appendChild(out);
    load();
  }

  // ---------------------------------------------------------------- 政策核查（政策组、管理员）
  function reviewView() {
    page("政策核查", "按核查日期列出需要政策组处理的事项，最紧急的排在前面：即将到期或已到期的文件及依赖它的政策，政策本身的有效期，有期限的参考数值，久未核对的政策，待核实内容。");
    var on = h("input", { id: "rv-on", type: "date" });
    var horizon = h("select", { id: "rv-horizon" }, [[30, "30 天内"], [60, "60 天内"], [90, "90 天内"], [180, "180 天内"], [365, "一年内"]].map(function (d) {
      return h("option", { value: String(d[0]), text: d[1] });
    }));
    horizon.value = "90";
    var out = h("div", { id: "review-output" });
    function table(headers, rows, id) {
      return h("div", { class: "table-wrap" }, h("table", { id: id },
        h("thead", null, h("tr", null, headers.map(function (t) { return h("th", { text: t }); }))),
        h("tbody", null, rows)));
    }
    function policyLink(id, name) { return h("a", { href: "#/policy/" + encodeURIComponent(id), text: name }); }
    function stateBadge(x) { return badge(x.when, x.state === "ended" ? "danger" : "warn"); }
    function section(id, title, count, body, empty) {
      return h("section", { class: "panel", id: id },
        h("h2", { text: title + "（" + count + "）" }),
        count ? body : h("p", { class: "muted", text: empty || "无" }));
    }
    function render(d) {
      out.textContent = "";
      out.appendChild(h("p", { class: "muted", id: "review-meta", text: "核查日期：" + d.on + "　·　提前 " + d.horizon_days + " 天提示　·　超过 " + d.review_interval_days + " 天未核对视为待复核" }));
      out.appendChild(section("review-documents", "即将到期或已到期的文件", d.documents.length, h("div", null,
        table(["文号", "文件名称", "有效期至", "状态", "后续文件", "最近一次查找后续文件", "依赖内容"], d.documents.map(function (x) {
          return h("tr", { "data-source": x.source_id },
            h("td", { text: x.doc_number || "（无文号）" }), h("td", { text: x.title }), h("td", { text: x.valid_until }),
            h("td", null, badge(x.state_label, x.state === "ended" ? "danger" : "warn"), " ", x.when),
            h("td", { text: "未录入" }), h("td", { text: x.successor_checked_on || "从未核对" }),
            h("td", { class: "num", text: x.dependants.length + " 项" }));
        }), "review-documents-table"),
        d.documents.map(function (x) {
          return h("div", { class: "dependants" },
            h("h3", { text: "依赖 " + (x.doc_number || x.title) + " 的内容" }),
            x.dependants.length ? table(["政策", "依赖方式", "内容"], x.dependants.map(function (dep) {
              return h("tr", null, h("td", null, policyLink(dep.policy_id, dep.policy_name)), h("td", { text: dep.via_label }),
                h("td", { text: dep.via === "item" ? "整项政策依据该文件" : (dep.part_text || "") + (dep.groups.length ? "（经由" + dep.groups.map(function (g) { return "「" + g + "」"; }).join("、") + "的认定）" : "") }));
            }), "review-dependants-" + x.source_id) : h("p", { class: "muted", text: "没有政策依赖该文件。" }));
        })), "核查期内没有到期的文件。"));
      out.appendChild(section("review-items", "本身有效期将到或已过的政策", d.expiring_items.length,
        table(["政策", "有效期至", "状态"], d.expiring_items.map(function (x) {
          return h("tr", null, h("td", null, policyLink(x.policy_id, x.policy_name)), h("td", { text: x.expires_on }), h("td", null, stateBadge(x)));
        }))));
      out.appendChild(section("review-values", "期限将到或已过的参考数值", d.reference_values.length,
        table(["政策", "项目", "数值", "适用期", "状态", "核实"], d.reference_values.map(function (x) {
          return h("tr", null, h("td", null, policyLink(x.policy_id, x.policy_name)), h("td", { text: x.label }), h("td", { text: x.text }),
            h("td", { text: (x.valid_from ? x.valid_from + " 至 " : "至 ") + x.valid_until }), h("td", null, stateBadge(x)), h("td", null, verificationBadge(x.verification)));
        }))));
      out.appendChild(section("review-stale", "从未核对或超过 " + d.review_interval_days + " 天未核对的政策", d.unreviewed.length,
        table(["政策", "最近核对", "情况"], d.unreviewed.map(function (x) {
          return h("tr", null, h("td", null, policyLink(x.policy_id, x.policy_name)), h("td", { text: x.last_reviewed || "—" }), h("td", { text: x.when }));
        }))));
      out.appendChild(section("review-unverified", "待核实内容统计", d.unverified.length,
        table(["政策", "数据", "条件", "提示", "合计"], d.unverified.map(function (x) {
          return h("tr", null, h("td", null, policyLink(x.policy_id, x.policy_name)), h("td", { class: "num", text: String(x.facts) }),
            h("td", { class: "num", text: String(x.rules) }), h("td", { class: "num", text: String(x.notes) }), h("td", { class: "num", text: String(x.total) }));
        }))));
      out.appendChild(h("section", { class: "panel" },
        h("div", { class: "panel-head" }, h("h2", { text: "文字版报告" }), copyButton(function () { return d.text; }, "复制报告")),
        h("pre", { class: "card-text", id: "review-text", text: d.text })));
    }
    function load() {
      var q = "horizon_days=" + horizon.value + (on.value ? "&on=" + encodeURIComponent(on.value) : "");
      api("GET", "/api/console/review?" + q).then(function (d) {
        if (!on.value) on.value = d.on;
        render(d);
      }).catch(function (err) { showError(out, err); });
    }
    on.addEventListener("change", load);
    horizon.addEventListener("change", load);
    view.appendChild(h("div", { class: "inline-form" }, h("label", null, "核查日期", on), h("label", null, "提前提示", horizon)));
    view.appendChild(out);
    load();
  }

  // ---------------------------------------------------------------- 账号管理（管理员）
  function usersView() {
    page("账号管理", "仅管理员可见；权限在服务器端校验。");
    var out = h("div", { id: "users-list" });
    var msg = h("div");
    function load() {
      api("GET", "/api/users").then(function (d) {
        out.textContent = "";
        out.appendChild(h("div", { class: "table-wrap" }, h("table", null,
          h("thead", null, h("tr", null, ["用户名", "角色", "状态", "创建时间", "操作"].map(function (t) { return h("th", { text: t }); }))),
          h("tbody", null, d.users.map(function (u) {
            return h("tr", null, h("td", { text: u.name }), h("td", { text: u.role_label }), h("td", { text: u.active ? "启用" : "停用" }), h("td", { text: fmtTime(u.created_at) }),
              h("td", { class: "row-actions" },
                u.active ? accountButton(u, "deactivate", "停用", "停用后该账号立即无法使用，确定停用 " + u.name + "？") : accountButton(u, "activate", "启用"),
                accountButton(u, "end-sessions", "结束全部会话", "确定让 " + u.name + " 在所有设备上退出登录？"),
                accountButton(u, "unlock", "解除登录限制")));
          })))));
      }).catch(function (err) { showError(out, err); });
    }
    var done = {
      deactivate: function (n) { return "已停用账号 " + n + "，其登录已全部失效。"; },
      activate: function (n) { return "已启用账号 " + n + "。"; },
      "end-sessions": function (n) { return "已结束 " + n + " 的全部登录会话。"; },
      unlock: function (n) { return "已解除 " + n + " 的登录限制。"; }
    };
    function accountButton(u, action, label, question) {
      return h("button", { type: "button", class: "secondary small", "data-action": action, text: label, onclick: function () {
        if (question && !window.confirm(question)) return;
        msg.textContent = "";
        api("POST", "/api/users/" + encodeURIComponent(u.name) + "/" + action).then(function () {
          msg.appendChild(alertBox("success", done[action](u.name)));
          load();
        }).catch(function (err) { showError(msg, err); });
      } });
    }
    var name = h("input", { id: "nu-name", maxlength: "64", placeholder: "字母、数字、_ . -", autocomplete: "off" });
    var role = h("select", { id: "nu-role" }, h("option", { value: "agent", text: "坐席" }), h("option", { value: "admin", text: "管理员" }), h("option", { value: "policy", text: "政策组" }));
    var pw = h("input", { id: "nu-password", type: "password", maxlength: "256", autocomplete: "new-password", placeholder: "至少 10 位" });
    var form = h("form", { class: "inline-form", id: "nu-form" }, h("label", null, "用户名", name), h("label", null, "角色", role), h("label", null, "初始密码", pw),
      h("button", { type: "submit", class: "primary", text: "创建账号" }));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      msg.textContent = "";
      api("POST", "/api/users", { name: name.value, role: role.value, password: pw.value }).then(function (d) {
        msg.appendChild(alertBox("success", "已创建账号 " + d.user.name + "（" + d.user.role_label + "）。"));
        form.reset();
        load();
      }).catch(function (err) { showError(msg, err); });
    });
    view.appendChild(h("section", { class: "panel" }, h("h2", { text: "新建账号" }), form, msg));
    view.appendChild(out);
    load();
  }

  // On phones tables are shown as cards; each cell needs its column name (see console.css).
  new MutationObserver(function () {
    Array.prototype.forEach.call(view.querySelectorAll(".table-wrap table:not([data-labelled])"), function (table) {
      table.setAttribute("data-labelled", "");
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent; });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) { td.setAttribute("data-label", names[i] || ""); });
      });
    });
  }).observe(view, { childList: true, subtree: true });

  // ---------------------------------------------------------------- routing
  function route() {
    var home = me && me.role === "policy" ? "#/review" : "#/search";
    var parts = (location.hash || home).slice(2).split("/");
    var name = parts[0] || "search";
    var arg = parts[1] ? decodeURIComponent(parts[1]) : null;
    Array.prototype.forEach.call(document.querySelectorAll("#nav a"), function (a) {
      a.classList.toggle("active", a.getAttribute("data-view") === (name === "policy" ? "search" : name));
    });
    if (name === "policy" && arg) policyView(arg);
    else if (name === "check") checkView(arg);
    else if (name === "bookings") bookingsView();
    else if (name === "unanswered") unansweredView();
    else if (name === "review") reviewView();
    else if (name === "users") usersView();
    else searchView();
    window.scrollTo(0, 0);
  }

  // The logout form also works without script (the browser's Sec-Fetch-Site header); with it, the
  // request carries the console's CSRF header, which every browser can send.
  var logoutForm = document.querySelector("form[action='/console/logout']");
  if (logoutForm) logoutForm.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/console/logout", { method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "haina-console" } })
      .then(function () { location.href = "/console/login"; }, function () { location.href = "/console/login"; });
  });

  api("GET", "/api/me").then(function (d) {
    me = d.user;
    document.getElementById("who").textContent = me.name + "（" + me.role_label + "）";
    if (me.role === "admin") Array.prototype.forEach.call(document.querySelectorAll(".admin-only"), function (n) { n.hidden = false; });
    if (me.role === "admin" || me.role === "policy") Array.prototype.forEach.call(document.querySelectorAll(".review-only"), function (n) { n.hidden = false; });
    if (me.role === "policy") Array.prototype.forEach.call(document.querySelectorAll(".callers-only"), function (n) { n.hidden = true; });
    window.addEventListener("hashchange", route);
    route();
  }).catch(function (err) { showError(view, err); });
})();
