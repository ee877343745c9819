/* orgsim workshop: the projector page (the trainer's controls). The trainer's token comes in the address's
   "#" part, is kept in this tab's sessionStorage and removed from the address bar at once. */
var R = {token: null, view: null, error: "", polling: false, timerAt: 0};
(function () {
  var h = window.location.hash.replace(/^#/, "");
  try { if (h) { window.sessionStorage.setItem("orgsim-trainer", h); } R.token = window.sessionStorage.getItem("orgsim-trainer"); }
  catch (e) { R.token = h || null; }
  if (h && window.history && window.history.replaceState) { window.history.replaceState(null, "", window.location.pathname); }
})();
var COLOURS = {controlling: "#c0392b", coaching: "#1e8449"};

function act(action) {
  request("POST", "/api/trainer/" + action, {}, R.token, function (status, data) {
    R.error = status === 200 ? "" : (TEXTS[LANG].ui["err_" + (data && data.error)] || (data && data.error) || T("err_other"));
    if (R.error) { render(); }
  });
}
function button(text, id, action) { return el("button", {id: id, text: text, onclick: function () { act(action); }}); }

function render() {
  var root = clear(document.getElementById("app")), v = R.view;
  root.appendChild(langButton(render));
  if (!v) { root.appendChild(el("p", {text: R.error || "…"})); return; }
  root.appendChild(el("h1", {text: T("title") + (v.round ? " \u2014 " + T("round", {round: v.round, rounds: v.rounds}) : "")}));
  if (v.phase === "lobby") { lobby(root, v); }
  else if (v.phase === "open") { open(root, v); }
  else if (v.phase === "closed") { closed(root, v); }
  else { debrief(root, v); }
  if (R.error) { root.appendChild(el("p", {"class": "err", text: R.error})); }
}

function lobby(root, v) {
  var qr = el("div", {"class": "qr", id: "qr"});
  qr.innerHTML = v.qr;   /* an SVG the server drew (segno); it holds no participant's text */
  var chips = el("div", {id: "players"});
  for (var i = 0; i < v.players.length; i++) { chips.appendChild(el("span", {"class": "chip", text: v.players[i]})); }
  root.appendChild(el("div", {"class": "cols"}, [el("div", null, [qr]), el("div", null, [
    el("p", {text: T("go_to")}), el("p", {"class": "big", id: "url", text: v.join_url}),
    el("p", {text: T("code")}), el("p", {"class": "code", id: "joincode", text: v.code}),
    el("p", {id: "joined", text: T("joined", {n: v.players.length})}), chips,
    el("div", {"class": "controls"}, [button(T("start", {round: 1}), "start", "start")])])]));
}

function open(root, v) {
  var card = L().cards[v.card];
  root.appendChild(el("div", {"class": "box"}, [el("h2", {text: T("card") + ": " + card.title}), el("p", {text: card.text})]));
  root.appendChild(el("p", {"class": "timer big", id: "timer"}));
  root.appendChild(el("p", {"class": "big", id: "answered", text: T("answered", {n: v.answered, total: v.players.length})}));
  var bar = el("div", {"class": "bar"}), fill = el("i");
  fill.style.left = "0"; fill.style.width = (100 * v.answered / Math.max(1, v.players.length)) + "%";
  bar.appendChild(fill); root.appendChild(bar);
  root.appendChild(el("div", {"class": "controls"}, [button(T("close"), "close", "close"), button(T("more_time"), "time", "time")]));
  tick();
}

function board(v, n) {
  var m = L().metrics, t = el("table", {id: "board"});
  t.appendChild(el("tr", null, [el("th", {text: "#"}), el("th", {"class": "l", text: T("player")}), el("th", {text: T("score")}),
    el("th", {text: m.engagement}), el("th", {text: m.burnout_share}), el("th", {text: m.output}), el("th", {text: m.leavers})]));
  function row(rank, name, r, colour) {
    var tr = el("tr", null, [el("td", {text: rank}), el("td", {"class": "l", text: name}), el("td", {text: fmt(r.score, 0)}),
      el("td", {text: fmt(r.engagement)}), el("td", {text: fmt(100 * r.burnout_share, 0)}), el("td", {text: fmt(r.output)}),
      el("td", {text: String(r.leavers)})]);
    if (colour) { tr.style.color = colour; tr.className = "ref"; }
    t.appendChild(tr);
  }
  for (var i = 0; i < Math.min(n, v.leaderboard.length); i++) { var r = v.leaderboard[i]; row(String(r.rank), r.nick, r, null); }
  for (var k in v.references) { if (v.references.hasOwnProperty(k)) { row("", T("reference") + ": " + L().policies[k], v.references[k], COLOURS[k]); } }
  return t;
}

function spread(v) {
  var s = v.spread, box = el("div", {id: "spread"}, [el("p", {"class": "muted", text: T("spread_key")})]);
  var kinds = ["monitoring", "coaching", "doing", "vision"];
  for (var i = 0; i < kinds.length; i++) {
    var h = s.hours[kinds[i]]; if (!h) { continue; }
    box.appendChild(el("div", {text: L().hours[kinds[i]] + ": " + fmt(h.min, 0) + "\u2013" + fmt(h.max, 0) + " h, " + T("mean") + " " + fmt(h.mean, 1)}));
    var bar = el("div", {"class": "bar"}), range = el("i"), mean = el("b");
    range.style.left = (100 * h.min / v.hours_total) + "%"; range.style.width = (100 * (h.max - h.min) / v.hours_total) + "%";
    mean.style.left = (100 * h.mean / v.hours_total) + "%";
    bar.appendChild(range); bar.appendChild(mean);
    for (var ref in s.references) { if (s.references.hasOwnProperty(ref)) {
      var u = el("u"); u.style.left = Math.min(100, 100 * s.references[ref][i] / v.hours_total) + "%"; u.style.background = COLOURS[ref]; bar.appendChild(u); } }
    box.appendChild(bar);
  }
  var auto = [];
  for (var a = 0; a < s.autonomy.length; a++) { auto.push(L().autonomy[a] + ": " + s.autonomy[a]); }
  box.appendChild(el("p", {text: T("autonomy") + " " + auto.join(" \u00b7 ")}));
  var card = L().cards[v.card], ans = [];
  for (var c = 0; c < card.answers.length; c++) { ans.push(card.answers[c][1] + ": " + (s.answers[card.answers[c][0]] || 0)); }
  ans.push(T("no_answer") + ": " + (s.answers.none || 0));
  box.appendChild(el("p", {text: card.title + " \u2014 " + ans.join(" \u00b7 ")}));
  return box;
}

function key() {
  var p = el("p", {"class": "key"}, [el("span"), document.createTextNode(T("teams"))]);
  p.firstChild.style.background = "#b3b6b7";
  for (var k in COLOURS) { if (COLOURS.hasOwnProperty(k)) { var s = el("span"); s.style.background = COLOURS[k]; p.appendChild(s);
    p.appendChild(document.createTextNode(T("reference") + ": " + L().policies[k])); } }
  return p;
}

function closed(root, v) {
  root.appendChild(el("div", {"class": "cols"}, [el("div", null, [el("h2", {text: T("leaderboard")}), board(v, 10)]),
    el("div", null, [el("h2", {text: T("spread")}), spread(v)])]));
  if (v.round < v.rounds) { root.appendChild(el("div", {"class": "controls"}, [button(T("start", {round: v.round + 1}), "start", "start")])); }
}

function pct(values) { var out = []; for (var i = 0; i < values.length; i++) { out.push(100 * values[i]); } return out; }
function debrief(root, v) {
  var weeks = v.round * 4, series = [], series2 = [], k;
  for (var i = 0; i < v.paths.length; i++) { series.push([v.paths[i].engagement, "#b3b6b7", 1]); series2.push([pct(v.paths[i].burnout_share), "#b3b6b7", 1]); }
  for (k in v.reference_paths) { if (v.reference_paths.hasOwnProperty(k)) {
    series.push([v.reference_paths[k].engagement, COLOURS[k], 3]); series2.push([pct(v.reference_paths[k].burnout_share), COLOURS[k], 3]); } }
  var bw = v.best_and_worst, t = el("table", {id: "bestworst"}), kinds = ["monitoring", "coaching", "doing", "vision"];
  t.appendChild(el("tr", null, [el("th"), el("th", {text: T("best")}), el("th", {text: T("worst")})]));
  t.appendChild(el("tr", null, [el("td", {text: T("score")}), el("td", {text: fmt(bw.best.score, 0)}), el("td", {text: fmt(bw.worst.score, 0)})]));
  for (var j = 0; j < kinds.length; j++) {
    t.appendChild(el("tr", null, [el("td", {text: L().hours[kinds[j]]}), el("td", {text: fmt(bw.best.hours[kinds[j]], 1)}), el("td", {text: fmt(bw.worst.hours[kinds[j]], 1)})]));
  }
  t.appendChild(el("tr", null, [el("td", {text: T("autonomy_mean")}), el("td", {text: fmt(bw.best.autonomy, 1)}), el("td", {text: fmt(bw.worst.autonomy, 1)})]));
  root.appendChild(el("h2", {text: T("debrief")}));
  root.appendChild(el("div", {"class": "cols debrief"}, [
    el("div", null, [el("label", {text: T("teams_path")}), lineChart(series, weeks, 150), el("label", {text: T("burnout_path")}), lineChart(series2, weeks, 150, 100), key()]),
    el("div", null, [el("h2", {text: T("choices_outcomes")}), t, el("h2", {text: T("leaderboard")}), board(v, 5)])]));
  if (v.out) { root.appendChild(el("p", {"class": "muted", text: T("files", {out: v.out})})); }
}

function tick() {
  var node = document.getElementById("timer");
  if (!node || !R.view || R.view.seconds_left === null) { return; }
  node.textContent = T("seconds_left", {s: Math.max(0, Math.round(R.view.seconds_left - (Date.now() - R.timerAt) / 1000))});
}
setInterval(tick, 1000);

function poll() {
  if (R.polling) { return; }
  R.polling = true;
  request("GET", "/api/room?since=" + (R.view ? R.view.version : ""), null, R.token, function (status, data) {
    R.polling = false;
    if (status === 200 && data) { R.view = data; R.timerAt = Date.now(); render(); poll(); }
    else { R.error = TEXTS[LANG].ui["err_" + (data && data.error)] || (data && data.error) || T("err_other"); render(); setTimeout(poll, 2000); }
  });
}
render();
poll();
