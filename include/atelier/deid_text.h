/* atelier deid_text: the French text de-identification detector (src/text)
 * as the DICOM door's text detector (at_deid_config.detect, the
 * clean-descriptors option). The door cannot link src/text, which sits
 * above it; this small module sits above both, and every caller that hands
 * the detector to the door (the engine's deid command, the airlock's DICOM
 * check) uses this one adapter. */
#ifndef ATELIER_DEID_TEXT_H
#define ATELIER_DEID_TEXT_H

#include "atelier/deid.h"
#include "atelier/text.h"

/* An at_deid_detect_fn over a French detector: ud is a const at_text_deid
 * * (shared by threads: detection only reads it). The len bytes of text
 * need not be valid UTF-8: invalid bytes and NUL become '?' in a copy of
 * the same length, so the spans' offsets hold for the original. The spans
 * found are appended to *spans (at_realloc'd; the door frees it) and
 * *count: dates as AT_DEID_SPAN_DATE, hospitals and FINESS numbers as
 * AT_DEID_SPAN_INSTITUTION, everything else AT_DEID_SPAN_OTHER. On failure
 * (AT_ERR_NOMEM, or the detector's error) *spans and *count still
 * describe what was there before. */
at_status at_deid_text_detect(void *ud, const char *text, size_t len, at_deid_span **spans, size_t *count);

#endif
