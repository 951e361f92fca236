/* The QR code of an otpauth:// URI, encoded by libqrencode and drawn by
 * the server as inline SVG (no image request, no script). */
#include "internal.h"

#include <qrencode.h>

void page_qr_svg(web_req *r, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) {
        h(r, "<p class=\"text-danger\">The QR code could not be drawn: type the key instead.</p>");
        return;
    }
    const int quiet = 4, w = q->width, size = w + 2 * quiet;
    h(r,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"qr\" role=\"img\" aria-label=\"QR code of the key for "
      "the "
      "authenticator app\" viewBox=\"0 0 %d %d\" width=\"240\" height=\"240\" shape-rendering=\"crispEdges\">"
      "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
      size, size, size, size);
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w; x++) {
            if (!(q->data[y * w + x] & 1))
                continue;
            /* a run of dark modules as one rectangle */
            int run = 1;
            while (x + run < w && (q->data[y * w + x + run] & 1))
                run++;
            h(r, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
            x += run - 1;
        }
    }
    h(r, "\"/></svg>");
    QRcode_free(q);
}
