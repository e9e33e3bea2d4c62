// The reconnect page works without this file; it only shows progress while the password is being checked
// (a few seconds of real logins), keeps the button from sending the form twice, and moves focus to a result.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var result = document.getElementById('result');
    if (result && result.classList.contains('error')) {
      result.focus();
    }
    var form = document.getElementById('reconnect-form');
    if (!form) {
      return;
    }
    form.addEventListener('submit', function () {
      var button = form.querySelector('button[type=submit]');
      var progress = document.getElementById('progress');
      if (progress) {
        progress.hidden = false;
      }
      if (button) {
        button.disabled = true;
        button.textContent = 'Checking\u2026';
      }
    });
  });
})();
