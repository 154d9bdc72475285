// The pre-registration card as an image to keep on the phone: the QR code, the names and short instructions,
// drawn here on a canvas in the reader's language with the device's own fonts (they have every character of a
// name; the server has no font for that). Without JavaScript the link downloads the plain QR image.
(function () {
  "use strict";
  var link = document.getElementById("qr-card-download");
  var source = link && document.getElementById(link.dataset.card);
  if (!link || !source || !HTMLCanvasElement.prototype.toBlob) { return; }
  var card = JSON.parse(source.textContent);
  var WIDTH = 720, PAD = 40, MODULE = 14, LINE = 40;
  var QUIET = 4 * MODULE;  // the white margin a QR code needs around it to be read
  var FONT = "system-ui, -apple-system, 'Hiragino Sans', 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";

  function wrap(context, text, width) {  // by character: Japanese has no spaces to break at
    var lines = [], line = "";
    Array.from(text).forEach(function (character) {
      if (context.measureText(line + character).width > width && line) { lines.push(line); line = ""; }
      line += character;
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function draw() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d");
    var size = card.modules.length * MODULE;
    context.font = "24px " + FONT;
    var text = [];
    card.names.forEach(function (name) { text.push({ font: "bold 30px " + FONT, lines: [name] }); });
    if (card.shelter) { text.push({ font: "24px " + FONT, lines: [card.shelter] }); }
    card.instructions.forEach(function (sentence) {
      context.font = "24px " + FONT;
      text.push({ font: "24px " + FONT, lines: wrap(context, sentence, WIDTH - 2 * PAD) });
    });
    var height = PAD + 48 + QUIET + size + QUIET + text.reduce(function (sum, block) { return sum + block.lines.length * LINE; }, 0) + PAD;
    canvas.width = WIDTH;
    canvas.height = height;
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, WIDTH, height);
    context.fillStyle = "#000000";
    context.textAlign = "center";
    context.textBaseline = "top";
    context.font = "bold 34px " + FONT;
    context.fillText(card.title, WIDTH / 2, PAD);
    var left = (WIDTH - size) / 2, top = PAD + 48 + QUIET;
    card.modules.forEach(function (row, y) {
      Array.from(row).forEach(function (cell, x) {
        if (cell === "1") { context.fillRect(left + x * MODULE, top + y * MODULE, MODULE, MODULE); }
      });
    });
    var y = top + size + QUIET;
    text.forEach(function (block) {
      context.font = block.font;
      block.lines.forEach(function (line) { context.fillText(line, WIDTH / 2, y); y += LINE; });
    });
    return canvas;
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    draw().toBlob(function (blob) {
      var save = document.createElement("a");
      save.href = URL.createObjectURL(blob);
      save.download = card.file;
      document.body.appendChild(save);
      save.click();
      setTimeout(function () { URL.revokeObjectURL(save.href); save.remove(); }, 1000);
    }, "image/png");
  });
})();
