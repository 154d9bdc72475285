/* Offline verification of a Toki fare credential (docs/fares.md "Checker"): a compact JWS (alg EdDSA, Ed25519)
   checked with WebCrypto against the city's published keys (JWKS, kept on the device), its expiry, and the
   revocation list last downloaded. No network. Exposes window.TokiFareVerify = { supported, importKeys, verify }. */
(function () {
  "use strict";

  const TYP = "toki-fare+jwt";
  const MAX_TOKEN = 2000;
  const B64U = /^[A-Za-z0-9_-]+$/;

  function b64uBytes(text) {
    if (!B64U.test(text)) throw new Error("malformed");
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function b64uJson(text) {
    return JSON.parse(new TextDecoder().decode(b64uBytes(text)));
  }

  /* Does this browser verify Ed25519 in WebCrypto (Chromium 137+, Firefox 129+, Safari 17+)? */
  async function supported() {
    try {
      const probe = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
      await crypto.subtle.importKey("jwk", probe, { name: "Ed25519" }, false, ["verify"]);
      return true;
    } catch (error) {
      return false;
    }
  }

  /* A Map kid -> CryptoKey of the EdDSA keys of a JWKS (other keys are ignored). */
  async function importKeys(jwks) {
    const keys = new Map();
    for (const jwk of (jwks && jwks.keys) || []) {
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.kid !== "string") continue;
      const key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" }, false, ["verify"]);
      keys.set(jwk.kid, key);
    }
    return keys;
  }

  /* {ok: true, claims} or {ok: false, error}; `revoked` a Set of jti; `now` in ms. Never throws. */
  async function verify(token, keys, revoked, now) {
    try {
      token = String(token || "").trim();
      const parts = token.split(".");
      if (token.length > MAX_TOKEN || parts.length !== 3) return { ok: false, error: "malformed" };
      const header = b64uJson(parts[0]);
      if (!header || header.alg !== "EdDSA" || header.typ !== TYP) return { ok: false, error: "malformed" };
      const key = keys.get(header.kid);
      if (!key) return { ok: false, error: "unknown_key" };
      const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
      const good = await crypto.subtle.verify({ name: "Ed25519" }, key, b64uBytes(parts[2]), data);
      if (!good) return { ok: false, error: "bad_signature" };
      const claims = b64uJson(parts[1]);
      if (!claims || typeof claims.jti !== "string" || typeof claims.exp !== "number" || claims.elig !== true) {
        return { ok: false, error: "malformed" };
      }
      if (claims.exp * 1000 <= (now || Date.now())) return { ok: false, error: "expired", claims };
      if (revoked && revoked.has(claims.jti)) return { ok: false, error: "revoked", claims };
      return { ok: true, claims };
    } catch (error) {
      return { ok: false, error: "malformed" };
    }
  }

  window.TokiFareVerify = { supported, importKeys, verify };
})();
