/* atelier demo: the door on a synthetic study. Writes a small CT + MR study
 * with a fake identity into a temporary folder, de-identifies it, and shows
 * attribute by attribute what changed in one representative file. */
#include "cli.h"
#include "demo.h"

#include "atelier/deid.h"
#include "atelier/synth.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_texty(at_vr vr)
{
    static const char *const v[] = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT",
                                    "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"};
    char b[3];
    at_vr_name(vr, b);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!strcmp(b, v[i]))
            return 1;
    return 0;
}

/* A short printable rendering of an element's value. */
static void render(const at_dcm_element *el, char *out, size_t n)
{
    if (el->items || el->vr == AT_VR('S', 'Q')) {
        snprintf(out, n, "(%zu item%s)", el->item_count, el->item_count == 1 ? "" : "s");
    } else if (el->vr == AT_VR('U', 'S') && el->length == 2) {
        snprintf(out, n, "%u", (unsigned)(el->value[0] | el->value[1] << 8));
    } else if (is_texty(el->vr)) {
        size_t len = el->length;
        while (len && (el->value[len - 1] == ' ' || el->value[len - 1] == '\0'))
            len--;
        if (!len)
            snprintf(out, n, "(empty)");
        else
            snprintf(out, n, "\"%.*s\"", (int)(len > 44 ? 44 : len), (const char *)el->value);
        if (len > 44 && n > 4)
            strcpy(out + strlen(out) - 1, "...\"");
    } else {
        snprintf(out, n, "(%u bytes)", el->length);
    }
}

static const char *keyword(at_tag tag)
{
    if (AT_TAG_GROUP(tag) & 1)
        return AT_TAG_ELEMENT(tag) < 0x100 ? "(private creator)" : "(private)";
    const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
    return e ? e->keyword : "?";
}

static int show_changes(const at_dcm_file *before, const at_dcm_file *after, unsigned options)
{
    const at_dcm_dataset *a = before->dataset, *b = after->dataset;
    size_t i = 0, j = 0, changed = 0, removed = 0, added = 0, kept = 0;
    printf("%-11s %-30s %-12s %-30s    %s\n", "tag", "attribute", "action", "before", "after");
    while (i < a->count || j < b->count) {
        at_tag ta = i < a->count ? a->elements[i].tag : 0xffffffffu;
        at_tag tb = j < b->count ? b->elements[j].tag : 0xffffffffu;
        at_tag t = ta < tb ? ta : tb;
        char vb[64] = "", va[64] = "";
        const char *action;
        if (ta == t) {
            render(&a->elements[i], vb, sizeof vb);
            char creator[80] = "";
            const char *cr = NULL;
            if ((AT_TAG_GROUP(t) & 1) && AT_TAG_ELEMENT(t) >= 0x1000 &&
                at_dcm_get_string(a, AT_TAG(AT_TAG_GROUP(t), AT_TAG_ELEMENT(t) >> 8), creator,
                                  sizeof creator) == AT_OK)
                cr = creator;
            action = at_deid_action_name(at_deid_action_for(t, a->elements[i].vr, options, cr, NULL));
        } else
            action = "added";
        int seq = tb == t && (b->elements[j].items || b->elements[j].vr == AT_VR('S', 'Q'));
        if (seq)
            snprintf(va, sizeof va, "(%zu item%s, cleaned)", b->elements[j].item_count,
                     b->elements[j].item_count == 1 ? "" : "s");
        else if (tb == t)
            render(&b->elements[j], va, sizeof va);
        else
            snprintf(va, sizeof va, "(removed)");
        if (t == AT_TAG(0x7fe0, 0x0010))
            action = "keep";
        int same = ta == t && tb == t && !strcmp(va, vb);
        if (same && !strcmp(action, "new uid") && a->elements[i].vr == AT_VR('U', 'I'))
            action = "keep (std)"; /* standard UIDs (SOP classes) are not replaced */
        if (same)
            kept++;
        else if (ta != t)
            added++;
        else if (tb != t)
            removed++;
        else
            changed++;
        printf("(%04X,%04X) %-30.30s %-12s %-30.30s -> %s%s\n", AT_TAG_GROUP(t), AT_TAG_ELEMENT(t),
               keyword(t), action, ta == t ? vb : "", va, same ? "" : "  *");
        if (ta == t)
            i++;
        if (tb == t)
            j++;
    }
    printf("\nin this file: %zu attributes kept as they were, %zu replaced, %zu removed, %zu added\n", kept,
           changed, removed, added);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    static const char *cmd = "demo";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier demo [--part door|text|sct|all] [--minutes M] [--patients N]\n"
               "                    [--threads N] [--keep] [-o DIR] [--force] [--option NAME]...\n\n"
               "atelier at work on synthetic data that belongs to nobody, in a temporary folder;\n"
               "three parts, all by default:\n"
               "  door  a small study (CT and MR, fake identity) de-identified with the basic\n"
               "        profile (and the --option given); what changed, attribute by attribute\n"
               "  text  re-hospitalisation risk after chemotherapy on a synthetic cohort of\n"
               "        1500 patients: held-out AUROC, AUPRC, Brier and calibration\n"
               "  sct   a synthetic head cohort (--patients, default 8) through the door,\n"
               "        prepared, a pseudo-CT U-Net trained for --minutes (default 3) on\n"
               "        --threads (default 2), held-out MAE/PSNR/SSIM and a PNG of slices\n"
               "-o DIR keeps the pictures (the PNG) in DIR and says where (a DIR that is not\n"
               "empty is refused unless --force); --keep leaves the whole temporary folder in\n"
               "place. Throwaway demo keys are used. Interrupted (Ctrl-C): the temporary\n"
               "folder is removed, exit 130.\n");
        return CLI_OK;
    }
    long patients = 8, threads = 2;
    int keep = 0, force = 0, rc = CLI_OK;
    double minutes = 3;
    const char *part = "all", *v = NULL, *pictures = NULL;
    unsigned options = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "--part", NULL, &part, &rc) ||
            cli_take(cmd, argc, argv, &i, "-o", "--out", &pictures, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--minutes", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_double(cmd, a, v, 0, 600, &minutes)) == CLI_OK && minutes <= 0)
                rc = cli_usage_error(cmd, "--minutes must be in (0, 600]");
        } else if (cli_take(cmd, argc, argv, &i, "--patients", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 4, 200, &patients);
        } else if (cli_take(cmd, argc, argv, &i, "--threads", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 1, 256, &threads);
        } else if (cli_take(cmd, argc, argv, &i, "--option", NULL, &v, &rc)) {
            unsigned f = rc == CLI_OK ? at_deid_option_by_name(v) : 0;
            if (rc == CLI_OK && !f)
                rc = cli_usage_error(cmd, "unknown --option '%s'", v);
            options |= f;
        } else if (cli_flag(a, "--keep", NULL)) {
            keep = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc != CLI_OK)
        return rc;
    int door = !strcmp(part, "all") || !strcmp(part, "door");
    int text = !strcmp(part, "all") || !strcmp(part, "text");
    int sct = !strcmp(part, "all") || !strcmp(part, "sct");
    if (!door && !text && !sct)
        return cli_usage_error(cmd, "--part is door, text, sct or all");
    if (at_deid_options_check(options))
        return cli_usage_error(cmd, "%s", at_error_message());
    if (pictures && (rc = cli_output_free(cmd, pictures, force)) != CLI_OK)
        return rc;
    const char *tmpbase = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s/atelier-demo-XXXXXX", tmpbase);
    if (!mkdtemp(tmp))
        return cli_fail(at_error_set(AT_ERR_IO, "%s: cannot create a temporary folder", tmp));
    char in[600], out[600], keypath[600], sample[700];
    snprintf(in, sizeof in, "%s/study", tmp);
    snprintf(out, sizeof out, "%s/deidentified", tmp);
    snprintf(keypath, sizeof keypath, "%s/demo.key", tmp);
    snprintf(sample, sizeof sample, "%s/S1_CT/IM0002.dcm", in);

    at_synth_study_options so;
    at_synth_study_options_default(&so);
    so.series = 2;
    so.slices = 3;
    so.size = 64;
    so.seed = 20240611;
    size_t nfiles = 0;
    at_key key;
    at_deid_batch_result res = {0};
    cli_run run;
    cli_run_start(&run, cmd, (int)threads, 0, 1);
    at_dcm_file *before = NULL, *after = NULL;
    at_status st = AT_OK;
    if (!door)
        goto pipelines;
    st = at_synth_dicom_study(in, &so, &nfiles);
    if (!st)
        st = at_key_create(keypath, &key); /* a throwaway demo key */
    printf("atelier demo: a synthetic study (%zu files, 2 series: CT and MR, fake identity) in %s\n\n",
           nfiles, in);
    if (!st) {
        at_deid_spec ds = {.inputs = (const char *const[]){in},
                           .input_count = 1,
                           .outdir = out,
                           .options = options,
                           .key = &key};
        st = at_deid_run(&ds, &run.run, &res);
    }
    if (!st)
        st = at_dcm_read_file(sample, NULL, &before);
    if (!st)
        st = at_dcm_read_file(sample, NULL, &after);
    if (!st) {
        at_deid_config dc = {.options = options, .key = &key};
        st = at_deid_apply(after, &dc);
    }
    if (!st) {
        printf("What the door did to S1_CT/IM0002.dcm (%s, options:", at_deid_table_edition_name());
        int any = 0;
        for (unsigned bit = 1; bit < (1u << AT_DEID_OPTION_COLUMNS); bit <<= 1)
            if ((options & bit) && at_deid_option_name(bit)) {
                printf(" %s", at_deid_option_name(bit));
                any = 1;
            }
        printf("%s):\n\n", any ? "" : " none");
        show_changes(before, after, options);
        printf("\nsummary: %zu files seen, %zu de-identified, %zu quarantined, %zu rejected in %.2f s\n",
               res.files_seen, res.files_done, res.files_quarantined, res.files_rejected, res.seconds);
        printf("output tree: %s/<patient>/<study>/<series>/<new SOP Instance UID>.dcm; report "
               "%s/deid-report.json%s\n",
               out, out, keep ? "" : " (removed at exit; --keep keeps them)");
    }
    at_dcm_file_free(before);
    at_dcm_file_free(after);
    at_deid_batch_result_free(&res);
    memset(&key, 0, sizeof key);
    if (st)
        rc = st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);
pipelines:
    if (rc == CLI_OK && text)
        rc = demo_text(tmp, &run.run);
    if (rc == CLI_OK && sct)
        rc = demo_sct(tmp, (int)patients, minutes, (int)threads, keep || pictures, &run.run);
    if (rc == CLI_OK && sct && pictures) { /* the pictures where they were asked for */
        char png[600];
        snprintf(png, sizeof png, "%s/pseudo-ct.png", tmp);
        unsigned char *data = NULL;
        size_t len = 0;
        char *dst = at_path_join(pictures, "pseudo-ct.png");
        st = dst ? at_mkdir_p(pictures, 0755) : AT_ERR_NOMEM;
        if (!st)
            st = at_file_read(png, (size_t)1 << 30, &data, &len);
        if (!st)
            st = at_file_write_atomic(dst, data, len);
        if (!st)
            printf("pictures kept: %s\n", dst);
        else
            rc = cli_fail(st);
        at_free(data);
        at_free(dst);
    }
    cli_run_finish(&run);
    if (rc == CLI_INTERRUPTED || cli_interrupted())
        fprintf(stderr, "atelier demo: interrupted; nothing was kept (the temporary folder was removed)\n");
    if (keep && rc != CLI_INTERRUPTED)
        printf("kept: %s\n", tmp);
    else
        at_remove_tree(tmp);
    return cli_interrupted() ? CLI_INTERRUPTED : rc;
}
