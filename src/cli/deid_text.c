/* The French text de-identification detector (src/text) as the door's
 * text detector: `deid --option clean-descriptors` reuses it on every text
 * value the door retains, rather than a second set of rules (the adapter
 * is src/deid_text's, shared with the airlock). Built into atelier-engine
 * only (the door cannot link src/text, which sits above it). */
#include "cli.h"

#include "atelier/deid_text.h"

at_status cli_deid_detector(void *deid_spec, void **state)
{
    at_deid_spec *cfg = deid_spec;
    at_text_deid *d = NULL;
    at_status st = at_text_deid_new(NULL, &d);
    if (st)
        return st;
    cfg->detect = at_deid_text_detect;
    cfg->detect_ud = d;
    *state = d;
    return AT_OK;
}

void cli_deid_detector_free(void *state)
{
    at_text_deid_free(state);
}
