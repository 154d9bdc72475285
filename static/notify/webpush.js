/* Web Push subscription for Toki pages (docs/webpush.md). No inline code, no eval: works under the strict CSP.

   window.TokiPush.supported()            → true when this browser can subscribe (service worker + PushManager)
   window.TokiPush.subscribe(publicKey)   → Promise of the subscription JSON {endpoint, expirationTime, keys:
                                            {p256dh, auth}} to send to the server (register_subscription)
   window.TokiPush.unsubscribe()          → Promise of the endpoint that was unsubscribed, or null if none
   window.TokiPush.current()              → Promise of the current subscription JSON, or null

   `publicKey` is the VAPID application server key as base64url (toki.notify.selectors.webpush_public_key()).
   The page must have registered a service worker (navigator.serviceWorker.register) whose `push` handler shows
   the message; subscribe() waits for it to be ready. Errors reject with an Error whose `code` is one of
   "unsupported", "no-key", "denied" (the user or the browser refused notifications) or "failed". */
(function () {
  "use strict";

  function fail(code, message) {
    var error = new Error(message);
    error.code = code;
    return error;
  }

  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function registration() {
    if (!supported()) return Promise.reject(fail("unsupported", "this browser cannot receive push messages"));
    return navigator.serviceWorker.ready;
  }

  function permission() {
    if (Notification.permission === "granted") return Promise.resolve();
    if (Notification.permission === "denied") return Promise.reject(fail("denied", "notifications are blocked"));
    return Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") throw fail("denied", "notifications were not allowed");
    });
  }

  function subscribe(publicKey) {
    if (!supported()) return Promise.reject(fail("unsupported", "this browser cannot receive push messages"));
    if (!publicKey) return Promise.reject(fail("no-key", "web push is not configured on the server"));
    return permission().then(registration).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        var options = { userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) };
        if (!existing) return reg.pushManager.subscribe(options);
        // A subscription made with another key (the server's key changed) cannot be used: replace it.
        var same = existing.options && existing.options.applicationServerKey &&
          new Uint8Array(existing.options.applicationServerKey).join() === options.applicationServerKey.join();
        if (same) return existing;
        return existing.unsubscribe().then(function () { return reg.pushManager.subscribe(options); });
      });
    }).then(function (subscription) {
      return subscription.toJSON();
    }, function (error) {
      if (error && error.code) throw error;
      if (error && error.name === "NotAllowedError") throw fail("denied", "notifications were not allowed");
      throw fail("failed", (error && error.message) || "subscribing failed");
    });
  }

  function current() {
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) { return subscription ? subscription.toJSON() : null; });
  }

  function unsubscribe() {
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () { return endpoint; });
      });
  }

  window.TokiPush = { supported: supported, subscribe: subscribe, unsubscribe: unsubscribe, current: current };
}());
