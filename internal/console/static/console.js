// The console works without this file: every form is a plain POST. This
// improves it: Copy, the Done button that waits until the value was copied
// or saved, Download .env, and no way Back to a shown-once value.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var value = document.getElementById("token-value");
  var done = document.getElementById("done");
  var saved = document.getElementById("saved");
  if (!value || !done) {
    return;
  }
  var copied = false;
  function update() {
    done.disabled = !(copied || (saved && saved.checked));
    if (saved) {
      saved.required = !copied;
    }
  }
  update();
  if (saved) {
    saved.addEventListener("change", update);
  }
  var copy = document.getElementById("copy");
  copy.addEventListener("click", function () {
    value.select();
    var ok = function () {
      copied = true;
      copy.textContent = "Copied";
      document.getElementById("copied").hidden = false;
      update();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value.value).then(ok, function () {
        if (document.execCommand("copy")) { ok(); }
      });
    } else if (document.execCommand("copy")) {
      ok();
    }
  });
  var download = document.getElementById("download");
  if (download) {
    download.hidden = false;
    download.addEventListener("click", function (e) {
      e.preventDefault();
      var blob = new Blob([download.dataset.envName + "=" + value.value + "\n"], { type: "text/plain" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = download.dataset.envFile;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
  }
  // Done replaces this page in the history: Back never returns to it.
  document.getElementById("done-form").addEventListener("submit", function (e) {
    e.preventDefault();
    value.value = "";
    location.replace(this.action);
  });
});
