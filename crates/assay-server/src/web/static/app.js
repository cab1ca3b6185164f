// Assay's one script: the evidence upload (drag and drop, progress, the session's CSRF
// token as a header). Every other page works without it.
"use strict";
(function () {
  var form = document.getElementById("upload");
  if (!form) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var bar = document.getElementById("progress");
  var status = document.getElementById("status");
  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "error" : "";
  }
  function chosen(files) {
    if (files && files.length) {
      var dt = new DataTransfer();
      dt.items.add(files[0]);
      input.files = dt.files;
      say("Ready: " + files[0].name + " (" + files[0].size + " bytes)");
    }
  }
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { chosen(e.dataTransfer.files); });
  drop.addEventListener("click", function () { input.click(); });
  drop.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
  input.addEventListener("change", function () { chosen(input.files); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var file = input.files[0];
    if (!file) { say("Choose a file first.", true); return; }
    var name = file.name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
    var q = new URLSearchParams({ name: name, kind: form.kind.value.trim() });
    if (form.from.value) q.set("from", form.from.value);
    if (form.to.value) q.set("to", form.to.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api + "?" + q.toString());
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) bar.value = Math.round((p.loaded / p.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 100;
        say("Stored. Opening the evidence list...");
        window.location.assign(form.dataset.back);
      } else {
        say("Not stored: " + (body.detail || xhr.statusText), true);
      }
    });
    xhr.addEventListener("error", function () { say("The upload failed: the server could not be reached.", true); });
    say("Uploading " + name + "...");
    xhr.send(file);
  });
})();
