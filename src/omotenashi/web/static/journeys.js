/* The journey map's charts: each <canvas data-chart='{"labels": [...], "values": [...]}'> becomes a bar chart
 * (Chart.js, vendored). The numbers are also in the tables beside them, so the page reads without this file.
 * Nothing inline: the staff pages' Content-Security-Policy allows only this site's own scripts and styles. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var ACCENT = "#b3412e";
  var STEADY = "#5b7bb3";
  var FADED = "#c5cedd";
  var font = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  Chart.defaults.color = "#5d6778";

  function draw(canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    var funnel = canvas.getAttribute("data-kind") === "funnel";
    var highlighted = canvas.getAttribute("data-highlight") === "true";
    var colors = spec.values.map(function (_, i) {
      if (funnel) { return spec.highlight === i ? ACCENT : (spec.highlight !== null && i > spec.highlight ? FADED : STEADY); }
      return highlighted ? ACCENT : STEADY;
    });
    new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: [{ label: spec.title, data: spec.values, backgroundColor: colors, borderRadius: 3 }] },
      options: {
        indexAxis: funnel ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: funnel
          ? { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } }
          : { x: { grid: { display: false }, ticks: { font: { size: 10 }, maxRotation: 50, autoSkip: false } },
              y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
