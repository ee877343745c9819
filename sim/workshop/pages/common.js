/* orgsim workshop: helpers shared by the phone and projector pages. Plain ES5, no libraries: every text from
   the server or a participant is set with textContent, never parsed as markup; nothing is evaluated. */
var LANG = TEXTS["default"];
function T(key, args) {
  var s = TEXTS[LANG].ui[key] || key;
  if (args) { for (var k in args) { if (args.hasOwnProperty(k)) { s = s.split("{" + k + "}").join(String(args[k])); } } }
  return s;
}
function L() { return TEXTS[LANG]; }
function fmt(x, digits) {
  var s = Number(x).toFixed(digits === undefined ? 2 : digits);
  return LANG === "nl" ? s.replace(".", ",") : s;
}
function el(tag, attrs, kids) {
  var e = document.createElement(tag), k;
  if (attrs) { for (k in attrs) { if (attrs.hasOwnProperty(k)) {
    if (k === "text") { e.textContent = attrs[k]; }
    else if (k === "onclick") { e.onclick = attrs[k]; }
    else { e.setAttribute(k, attrs[k]); } } } }
  if (kids) { for (var i = 0; i < kids.length; i++) { if (kids[i]) { e.appendChild(kids[i]); } } }
  return e;
}
function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
function request(method, url, body, token, done) {
  var x = new XMLHttpRequest();
  x.open(method, url, true);
  x.timeout = 30000;
  if (token) { x.setRequestHeader("X-Token", token); }
  if (body !== null) { x.setRequestHeader("Content-Type", "application/json"); }
  x.onreadystatechange = function () {
    if (x.readyState !== 4) { return; }
    var data = null;
    try { data = JSON.parse(x.responseText); } catch (err) { data = null; }
    done(x.status, data);
  };
  x.send(body === null ? null : JSON.stringify(body));
}
var SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) { if (attrs.hasOwnProperty(k)) { e.setAttribute(k, attrs[k]); } }
  return e;
}
/* lines on 0..1: series = [[values, colour, width], ...], weeks on the x-axis */
function lineChart(series, weeks, height, top) {
  top = top || 1;
  var w = 360, h = height || 170, left = 30, pw = w - left - 6, ph = h - 30;
  var svg = svgEl("svg", {viewBox: "0 0 " + w + " " + h, width: "100%"});
  svg.appendChild(svgEl("rect", {x: left, y: 6, width: pw, height: ph, fill: "none", stroke: "#aab7b8"}));
  var ys = [0, 0.5, 1];
  for (var i = 0; i < ys.length; i++) {
    var t = svgEl("text", {x: left - 3, y: 6 + ph * (1 - ys[i]) + 4, "font-size": 10, "text-anchor": "end"});
    t.textContent = fmt(ys[i] * top, top > 1 ? 0 : 1); svg.appendChild(t);
  }
  for (var wk = 0; wk <= weeks; wk += (weeks > 24 ? 8 : 4)) {
    var tx = svgEl("text", {x: left + pw * wk / Math.max(weeks, 1), y: h - 8, "font-size": 10, "text-anchor": "middle"});
    tx.textContent = String(wk); svg.appendChild(tx);
  }
  for (var s = 0; s < series.length; s++) {
    var v = series[s][0], pts = [];
    for (var j = 0; j < v.length; j++) {
      var y = Math.max(0, Math.min(1, v[j] / top));
      pts.push((left + pw * (j + 1) / Math.max(weeks, 1)).toFixed(1) + "," + (6 + ph * (1 - y)).toFixed(1));
    }
    svg.appendChild(svgEl("polyline", {points: pts.join(" "), fill: "none", stroke: series[s][1],
                                       "stroke-width": series[s][2]}));
  }
  return svg;
}
function langButton(after) {
  return el("button", {"class": "lang", text: T("lang"), onclick: function () {
    LANG = LANG === "nl" ? "en" : "nl"; after(); }});
}
