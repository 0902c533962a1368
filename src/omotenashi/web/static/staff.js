/* Staff pages: htmx settings that suit the Content-Security-Policy, and what to do with answers that are not 2xx.
 * Every page works without this file; it only saves a reload when adding a note or reading older timeline items. */
(function () {
  "use strict";
  if (!window.htmx) { return; }
  // No inline <style> (the CSP refuses it), no eval, and no <script> taken from a swapped answer.
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    if (xhr.responseURL && new URL(xhr.responseURL).pathname === "/staff/sign-in") {
      // The session ended meanwhile: go and sign in, rather than swap the sign-in form into the page.
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    } else if (status === 400 || status === 409) {
      // The page again with the form filled in and the problem next to it: swap it in like a success.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      // An error page (403, 404, 413, ...): show it in place of the page's content.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      event.detail.target = document.querySelector("main");
      event.detail.selectOverride = "main";
      event.detail.swapOverride = "innerHTML";
    }
  });
})();
