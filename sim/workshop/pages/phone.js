/* orgsim workshop: the phone page. */
var S = {token: null, view: null, draft: null, draftRound: -1, error: "", sent: false, polling: false, timerAt: 0};
var store = window.localStorage;
try { S.token = store.getItem("orgsim-token"); var l0 = store.getItem("orgsim-lang"); if (l0) { LANG = l0; } } catch (e) { S.token = null; }
function save(key, value) { try { if (value === null) { store.removeItem(key); } else { store.setItem(key, value); } } catch (e) { /* private mode */ } }
function app() { return document.getElementById("app"); }
function errText(data) { var code = data && data.error ? data.error : "other"; return TEXTS[LANG].ui["err_" + code] || T("err_other"); }
function queryCode() { var m = /[?&]code=([A-Za-z0-9]{1,12})/.exec(window.location.search); return m ? m[1].toUpperCase() : ""; }

function render() {
  var root = clear(app());
  root.appendChild(langButton(function () { save("orgsim-lang", LANG); if (S.token) { request("POST", "/api/lang", {lang: LANG}, S.token, function () {}); } render(); }));
  if (!S.token || !S.view) { return renderJoin(root); }
  var v = S.view;
  root.appendChild(el("h1", {text: T("title")}));
  if (v.phase === "lobby") { root.appendChild(el("p", {text: T("waiting", {nick: v.nick})})); }
  else if (v.phase === "open") { renderDecision(root, v); }
  else if (v.phase === "closed") { renderResult(root, v); root.appendChild(el("p", {"class": "muted", text: T("closed_wait")})); }
  else { renderYear(root, v); }
  if (S.error) { root.appendChild(el("p", {"class": "err", text: S.error})); }
}

function renderJoin(root) {
  root.appendChild(el("h1", {text: T("title")}));
  var code = el("input", {id: "code", maxlength: "6", autocapitalize: "characters", autocomplete: "off", value: queryCode()});
  var nick = el("input", {id: "nick", maxlength: "20", autocomplete: "off"});
  var btn = el("button", {"class": "main", id: "join", text: T("join"), onclick: function () {
    btn.disabled = true;
    request("POST", "/api/join", {code: code.value, nick: nick.value, lang: LANG}, null, function (status, data) {
      btn.disabled = false;
      if (status === 200 && data && data.token) {
        S.token = data.token; save("orgsim-token", S.token); S.view = data.view; S.error = ""; render(); poll();
      } else { S.error = errText(data); render(); }
    });
  }});
  root.appendChild(el("div", {"class": "box"}, [el("label", {"for": "code", text: T("code")}), code,
    el("label", {"for": "nick", text: T("nickname")}), nick, btn]));
  if (S.error) { root.appendChild(el("p", {"class": "err", text: S.error})); }
}

function left() { var d = S.draft, t = 0; for (var k in d.hours) { if (d.hours.hasOwnProperty(k)) { t += d.hours[k]; } } return S.view.hours_total - t; }

function renderDecision(root, v) {
  if (S.draftRound !== v.round) {
    S.draftRound = v.round; S.sent = v.answered;
    S.draft = {hours: {}, autonomy: v.decision.autonomy, answer: v.answered ? v.decision.answer : null};
    for (var k in v.decision.hours) { if (v.decision.hours.hasOwnProperty(k)) { S.draft.hours[k] = v.decision.hours[k]; } }
  }
  var d = S.draft, card = L().cards[v.card];
  root.appendChild(el("h2", {text: T("round", {round: v.round, rounds: v.rounds})}));
  root.appendChild(el("p", {"class": "timer", id: "timer"}));
  var answers = el("div", {"class": "choices"});
  for (var i = 0; i < card.answers.length; i++) {
    (function (a) { answers.appendChild(el("button", {"class": d.answer === a[0] ? "on" : "", "data-answer": a[0], text: a[1],
      onclick: function () { d.answer = a[0]; S.sent = false; render(); }})); })(card.answers[i]);
  }
  root.appendChild(el("div", {"class": "box"}, [el("label", {text: T("card") + ": " + card.title}), el("p", {text: card.text}), answers]));
  var hours = el("div", {"class": "box"}, [el("label", {text: T("your_week", {hours: v.hours_total})})]);
  var kinds = ["monitoring", "coaching", "doing", "vision"];
  for (var j = 0; j < kinds.length; j++) {
    (function (kind) {
      var minus = el("button", {text: "\u2212", "data-minus": kind, onclick: function () { d.hours[kind] = Math.max(0, d.hours[kind] - 2); S.sent = false; render(); }});
      var plus = el("button", {text: "+", "data-plus": kind, onclick: function () { d.hours[kind] += Math.min(2, left()); S.sent = false; render(); }});
      hours.appendChild(el("div", {"class": "row"}, [el("span", {"class": "name", text: L().hours[kind]}), minus,
        el("span", {"class": "val", text: String(d.hours[kind])}), plus]));
    })(kinds[j]);
  }
  hours.appendChild(el("p", {"class": left() === 0 ? "muted" : "err", text: T("left_to_plan", {left: left()})}));
  root.appendChild(hours);
  var auto = el("div", {"class": "box choices"}, [el("label", {text: T("autonomy")})]);
  for (var a = 0; a < L().autonomy.length; a++) {
    (function (level) { auto.appendChild(el("button", {"class": d.autonomy === level ? "on" : "", "data-autonomy": String(level),
      text: L().autonomy[level], onclick: function () { d.autonomy = level; S.sent = false; render(); }})); })(a);
  }
  root.appendChild(auto);
  root.appendChild(el("button", {"class": "main", id: "send", text: T("send"), onclick: send}));
  if (S.sent) { root.appendChild(el("p", {"class": "ok", id: "sent", text: T("sent")})); }
  tick();
}

function send() {
  if (left() !== 0) { S.error = T("err_hours_sum"); render(); return; }
  request("POST", "/api/decide", {round: S.view.round, hours: S.draft.hours, autonomy: S.draft.autonomy, answer: S.draft.answer},
    S.token, function (status, data) {
      if (status === 200) { S.sent = true; S.error = ""; } else { S.error = errText(data); if (status === 403) { forget(); } }
      render();
    });
}

function pct(values) { var out = []; for (var i = 0; i < values.length; i++) { out.push(100 * values[i]); } return out; }
function metricRow(name, now, before, digits, goodUp) {
  var tr = el("tr", null, [el("td", {text: name}), el("td", {text: fmt(now, digits)})]);
  if (before !== null && before !== undefined) {
    var diff = Number((now - before).toFixed(digits)), cls = diff === 0 ? "" : ((diff > 0) === goodUp ? "up" : "down");
    tr.appendChild(el("td", {"class": cls, text: (diff > 0 ? "+" : "") + fmt(diff === 0 ? 0 : diff, digits)}));
  }
  return tr;
}

function renderResult(root, v) {
  var r = v.result, p = v.previous || null, m = L().metrics;
  root.appendChild(el("h2", {text: T("your_team", {round: r.round})}));
  root.appendChild(el("p", {"class": "big", text: T("rank", {rank: v.rank, n: v.players})}));
  var t = el("table", {id: "result"});
  t.appendChild(metricRow(T("score"), r.score, p && p.score, 0, true));
  t.appendChild(metricRow(m.engagement, r.engagement, p && p.engagement, 2, true));
  t.appendChild(metricRow(m.burnout_share, 100 * r.burnout_share, p && 100 * p.burnout_share, 0, false));
  t.appendChild(metricRow(m.output, r.output, p && p.output, 2, true));
  t.appendChild(metricRow(m.leavers, r.leavers, p && p.leavers, 0, false));
  root.appendChild(el("div", {"class": "box"}, [t]));
}

function renderYear(root, v) {
  renderResult(root, v);
  var y = v.year, weeks = y.engagement.length, m = L().metrics;
  root.appendChild(el("h2", {text: T("your_year")}));
  root.appendChild(el("div", {"class": "box"}, [el("label", {text: m.engagement}), lineChart([[y.engagement, "#1e8449", 2.5]], weeks),
    el("label", {text: m.burnout_share}), lineChart([[pct(y.burnout_share), "#c0392b", 2.5]], weeks, 170, 100),
    el("label", {text: m.output}), lineChart([[y.output, "#2471a3", 2.5]], weeks)]));
  var list = el("ul", {id: "moments"});
  list.appendChild(el("li", {text: y.vicious_week ? T("vicious", {week: y.vicious_week}) : T("no_vicious")}));
  for (var i = 0; i < y.moments.length; i++) { list.appendChild(el("li", {text: T(y.moments[i].what, y.moments[i])})); }
  if (!y.moments.length) { list.appendChild(el("li", {text: T("nothing")})); }
  root.appendChild(el("h2", {text: T("moments")}));
  root.appendChild(list);
}

function tick() {
  var node = document.getElementById("timer");
  if (!node || !S.view || S.view.seconds_left === null) { return; }
  var s = Math.max(0, Math.round(S.view.seconds_left - (Date.now() - S.timerAt) / 1000));
  node.textContent = T("seconds_left", {s: s});
}
setInterval(tick, 1000);

function forget() { S.token = null; S.view = null; save("orgsim-token", null); }

function poll() {
  if (S.polling || !S.token) { return; }
  S.polling = true;
  var since = S.view ? S.view.version : "";
  request("GET", "/api/state?since=" + since, null, S.token, function (status, data) {
    S.polling = false;
    if (status === 200 && data) {
      var changed = !S.view || data.version !== S.view.version || data.phase !== S.view.phase;
      S.view = data; S.timerAt = Date.now();
      if (changed) { S.error = ""; render(); } else { tick(); }
      poll();
    } else if (status === 403) { forget(); S.error = errText(data); render(); }
    else { setTimeout(poll, 2000); }
  });
}
render();
poll();
