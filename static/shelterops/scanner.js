/* The tablet's QR reader: the camera through getUserMedia, decoded by the browser's BarcodeDetector where it has
   one (Chrome on Android, Safari 17+ on some devices) and by the vendored jsQR on a canvas everywhere else.
   No network: works offline. Exposes window.TokiScanner = { start(video, onText) -> stop() }. */
(function () {
  "use strict";

  const MAX_SIDE = 640; // decode a downscaled frame: QR codes held up to a tablet are large; speed matters more

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then((formats) => (formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null))
      .catch(() => null);
  }

  /* Start the camera in `video` and call onText(text) once per distinct code seen (a code held in front of the
     camera is reported once, again only after it left the picture for a moment). Resolves to a stop() function;
     rejects with the getUserMedia error (NotAllowedError, NotFoundError …) so the page can explain it. */
  async function start(video, onText) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    video.srcObject = stream;
    video.setAttribute("playsinline", "");
    video.muted = true;
    await video.play();
    const detector = await nativeDetector();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let running = true;
    let last = "";
    let lastSeen = 0;
    let frame = 0;

    async function decode() {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      if (detector) {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      }
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      // Alternate between normal and inverted attempts across frames: half the work per frame.
      const found = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: frame % 2 ? "onlyInvert" : "dontInvert",
      });
      return found ? found.data : null;
    }

    async function tick() {
      if (!running) return;
      frame += 1;
      try {
        const text = await decode();
        const now = performance.now();
        if (text) {
          if (text !== last || now - lastSeen > 3000) onText(text);
          last = text;
          lastSeen = now;
        }
      } catch (error) {
        // A frame that cannot be read (camera switching, a torn frame) is skipped.
      }
      if (running) requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);

    return function stop() {
      running = false;
      stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
    };
  }

  window.TokiScanner = { start };
})();
